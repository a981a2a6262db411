// Reading and writing the record of a managed trigger (pgdb_tools.managed_triggers) next to what
// pg_trigger holds. Writes run as the extension's owner: callers may read the catalog, not write
// it, and their right to manage the table was checked before.
#pragma once

#include <optional>
#include <string>

#include "core/json.hpp"
#include "pg/relation.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"
#include "triggers/plan.hpp"

namespace pgdb::triggers {

// The trigger called name on the table, as pg_trigger and the catalog have it. spec (canonical
// JSON) is compared with the recorded one; pass "null" when there is nothing to compare.
Installed installed_state(pg::Spi& spi, Oid relid, const pg::TableName& table,
                          const std::string& name, const std::string& spec = "null");

// pg_get_triggerdef() of the trigger called name on the table as it is now (the statements this
// call ran included); nullopt when there is none.
std::optional<std::string> trigger_definition(pg::Spi& spi, Oid relid, const std::string& name);

// Removes the record of one managed trigger.
void forget_record(pg::Spi& spi, const pg::ExtensionOwner& owner, const std::string& schema,
                   const std::string& table, const std::string& name);

// A recorded (canonical) spec rendered against the catalog as it is now, with none of the checks
// that depend on the caller: its canonical form and the CREATE OR REPLACE TRIGGER it renders to.
// Raises the spec's first problem (a column gone or of a type its kind cannot use).
struct Rendered {
  std::string canonical;
  std::string ddl;
};
Rendered render_recorded_spec(pg::Spi& spi, const Json& spec);

}  // namespace pgdb::triggers
