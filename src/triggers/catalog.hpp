// Reading and writing the record of a managed trigger (pgdb_tools.managed_triggers) next to what
// pg_trigger holds. Writes run as the extension's owner: callers may read the catalog, not write
// it, and their right to manage the table was checked before.
#pragma once

#include <string>

#include "pg/relation.hpp"
#include "pg/spi.hpp"
#include "triggers/plan.hpp"

namespace pgdb::triggers {

// The trigger called name on the table, as pg_trigger and the catalog have it. spec (canonical
// JSON) is compared with the recorded one; pass "null" when there is nothing to compare.
Installed installed_state(pg::Spi& spi, Oid relid, const pg::TableName& table,
                          const std::string& name, const std::string& spec = "null");

// Removes the record of one managed trigger.
void forget_record(pg::Spi& spi, Oid owner, const std::string& schema, const std::string& table,
                   const std::string& name);

}  // namespace pgdb::triggers
