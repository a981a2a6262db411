// Capturing live tables with one MVCC snapshot: the first two steps of snapshot_create, written so
// that anything else that reads live tables consistently (a future archive_create) reuses them.
//
//   std::vector<Oid> relids = collect_tables(spi, tables_arg, schemas_arg);   // 1. collect
//   PinnedTables pinned(spi, relids, {"snapshot_create", "snapshot"});        // 2. pin
//   for (const CapturedTable& table : pinned.tables())                         // 3. read them
//     copy_rows(table.relid, table.leaves, pinned.snapshot(), into, hash);
//
// Both steps run as the caller (their privilege checks are the caller's), under the trusted
// search_path the entry point set, inside a pg::Spi connection. Nothing is written.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pg/postgres.hpp"
#include "pg/relation.hpp"

extern "C" {
#include "utils/snapshot.h"
}

namespace pgdb::pg {
class Spi;
}

namespace pgdb::snapshots {

// What the messages of a collect and a pin name: the SQL function ("snapshot_create": "... was
// dropped while snapshot_create waited for it") and the verb ("snapshot": "could not snapshot ...",
// and the action of require_no_citus_tables).
struct PinWording {
  const char* function;
  const char* verb;
};

// Step 1, collect: the tables a capture of the given tables (a regclass[] datum) and schemas (a
// name[] datum; either may be absent, not both) reads, each checked as material the caller may
// copy (an ordinary or partitioned table, not temporary, not a system or extension table, USAGE
// on its schema, SELECT on every column, no row-level security hiding rows): named tables first,
// then each schema's tables in name order, without duplicates; a partition whose partitioned
// ancestor is listed too is left to that ancestor. 22023 for empty lists, NULL or 0 items; 3F000
// for a missing schema; 42501 / 42809 / 0A000 for a table that fails a check. Takes no lock:
// schedules check their lists with it when they are made, and again at each run.
std::vector<Oid> collect_tables(pg::Spi& spi, std::optional<Datum> tables,
                                std::optional<Datum> schemas,
                                PinWording wording = {"snapshot_create", "snapshot"});

// One table of a capture, as pinned.
struct CapturedTable {
  Oid relid = InvalidOid;
  pg::TableName source;     // schema and name when pinned
  std::vector<Oid> leaves;  // the tables holding its rows (leaves_of): itself, or its leaf
                            // partitions, fixed when pinned
  std::string definition;   // pgdb_tools._snapshot_definition(relid) as of the snapshot (jsonb
                            // text: columns, constraints, indexes, owner, sequences ...)
  std::string owner_name;   // the role owning the table
};

// Step 2, pin: locks the tables of collect_tables (AccessShareLock, in the given order, with their
// leaf partitions), rechecks that each still exists (42P01), refuses Citus tables (0A000), then
// registers the one snapshot every table is read with. In REPEATABLE READ and SERIALIZABLE, where
// that snapshot is the transaction's and older than the locks, a table or partition rewritten,
// truncated or altered after it, or whose partitions changed, is refused (40001), as is a table
// the snapshot does not see yet (42P01). The snapshot stays registered while the object lives
// (after a PostgreSQL error, the rollback releases it).
class PinnedTables {
 public:
  PinnedTables(pg::Spi& spi, const std::vector<Oid>& relids, PinWording wording);
  ~PinnedTables();
  PinnedTables(const PinnedTables&) = delete;
  PinnedTables& operator=(const PinnedTables&) = delete;

  const std::vector<CapturedTable>& tables() const noexcept { return tables_; }
  // The registered snapshot to scan every table and leaf with (copy_rows, row_digests).
  Snapshot snapshot() const noexcept { return snapshot_; }

 private:
  std::vector<CapturedTable> tables_;
  Snapshot snapshot_ = nullptr;
  int pending_at_start_ = 0;
};

}  // namespace pgdb::snapshots
