// The registry of partition sets (pgdb_tools.partition_sets) and of their passes
// (pgdb_tools.partition_runs): reading, registering, changing and forgetting sets, checking their
// settings, recording runs. Writes run as the extension's owner, after the caller's rights on the
// table were checked.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "partitions/facts.hpp"
#include "pg/postgres.hpp"
#include "pg/relation.hpp"

namespace pgdb::pg {
class Spi;
}

namespace pgdb::partitions {

// A registered set, with its parent resolved by schema and name (so that pg_dump and pg_restore
// keep sets).
struct RegisteredSet {
  Oid parent = InvalidOid;
  Oid owner = InvalidOid;  // the parent's owner now
  Settings settings;
  pg::TableName table() const { return {settings.schema, settings.name}; }
};

// Every set whose table exists (only: just that parent's, InvalidOid for all), by name.
std::vector<RegisteredSet> load_sets(pg::Spi& spi, Oid only);

// The set whose parent is `parent`; 55000 when the table is not a registered set.
RegisteredSet require_set(pg::Spi& spi, Oid parent);

// 22023 (or 3F000 for a missing archive schema, 42501 without CREATE on it, 22008 for a
// retention past the range of timestamps) unless the set's settings make sense for its type.
void validate_settings(pg::Spi& spi, const Settings& settings, ControlType type);

// Registers the set of `parent` unless it is registered with the same settings (start_at_given:
// the caller's start_at, compared only when given); 55000 when it is registered with others,
// 42710 when another session registered it meanwhile.
void register_set(pg::Spi& spi, Oid parent, const Settings& settings,
                  const std::optional<std::string>& start_at_given);

// Writes the settings update_partitioned may change; false (and nothing written) when they equal
// `before`.
bool update_settings(pg::Spi& spi, const Settings& before, const Settings& after);

// Removes the set registered under that schema and name; false when there was none.
bool forget_set(pg::Spi& spi, const std::string& schema, const std::string& name);

// One row of partition_runs for a pass that started at `started` (a timestamptz).
void record_run(pg::Spi& spi, const Settings& settings, Datum started, int actions,
                const std::optional<std::string>& error);

// clock_timestamp(), for record_run.
Datum clock_now();

}  // namespace pgdb::partitions
