// One maintenance pass over one set: gather its facts, plan, render the statements, execute them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "partitions/pass.hpp"
#include "partitions/registry_pg.hpp"
#include "partitions/render.hpp"

namespace pgdb::pg {
class Spi;
}

namespace pgdb::partitions {

// The pass, in the caller's (sub)transaction; throws what fails the whole set. Retiring and
// creating run in a subtransaction each, so a failure in one (an archive name already taken, a
// view depending on an old partition) becomes an error outcome and neither undoes nor blocks the
// other.
std::vector<Outcome> maintain(pg::Spi& spi, const RegisteredSet& set, bool dry_run,
                              PassOptions options);

// The partitions of a set registered just now (create_partitioned, partition_existing): a pass
// that backfills from start_at, recorded in partition_runs. Nothing may be left half done at
// registration: a failed step fails the whole call (55000), and so (22023) does retiring a
// partition unless allow_retiring. Returns the partitions created.
int create_partitions(pg::Spi& spi, Oid parent, const pg::TableName& table,
                      bool allow_retiring = true);

// Runs rendered steps in order in the caller's (sub)transaction, appending their outcomes; throws
// what fails. Returns the rows moved out of the default partition.
std::int64_t run_steps(pg::Spi& spi, const std::vector<RenderedStep>& steps,
                       std::vector<Outcome>& outcomes);

// What run_maintenance reports of one set.
struct Report {
  std::string parent;  // quoted
  std::vector<Outcome> outcomes;
  std::optional<std::string> error;  // "SQLSTATE: message" of a pass that failed as a whole
};

// One set's pass in a subtransaction of its own, recorded in partition_runs unless dry_run: an
// error there rolls back only that set. A set another session is maintaining (or registering)
// right now is skipped with a 55P03 error, unrecorded: that session's pass does the work
// (run_maintenance_proc retries it). A cancel or statement_timeout stops the whole call.
Report maintain_isolated(pg::Spi& spi, const RegisteredSet& set, bool dry_run, bool force);

// Waits for the advisory lock that serialises work on one set (maintenance passes,
// registration), held to the end of the transaction.
void lock_set(pg::Spi& spi, Oid parent);

}  // namespace pgdb::partitions
