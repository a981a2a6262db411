// pgdb_tools' own triggers on a table partition_existing converts (existing_pg.cpp): taken off the
// table before the swap (apply_triggers with prune) and installed again, from their recorded
// specs, on the new parent once the set is registered. PostgreSQL clones a partitioned table's
// row triggers onto every partition, the old table included, so each fires once per row wherever
// the row lands. Other triggers are refused (existing.cpp).
#pragma once

#include <string>
#include <vector>

#include "partitions/facts.hpp"
#include "pg/relation.hpp"

namespace pgdb::pg {
class Spi;
}

namespace pgdb::partitions {

// The table's triggers that are not pgdb_tools' (internal ones left out), quoted.
std::vector<std::string> unmanaged_triggers(pg::Spi& spi, Oid rel);

struct ManagedTriggers {
  std::vector<std::string> names;  // as recorded, installed or not
  std::string specs;               // their specs, a jsonb array's text
};

ManagedTriggers read_managed_triggers(pg::Spi& spi, const pg::TableName& table);

// The statement that takes them off the table (before the swap) and the one that installs them on
// the parent of the same name (after the registration); both empty when there are none.
std::string drop_managed_sql(const ManagedTriggers& managed, const pg::TableName& table);
std::string apply_managed_sql(const ManagedTriggers& managed);

// What a dry run of the conversion shows: the triggers taken off, statements, the registration
// and the triggers put on the parent.
std::vector<std::string> dry_run_listing(std::vector<std::string> statements,
                                         const ManagedTriggers& managed, const pg::TableName& table,
                                         const Settings& s);

}  // namespace pgdb::partitions
