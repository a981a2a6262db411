// What apply_triggers does for each declared trigger, given what is installed now. PG-free.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "core/quote.hpp"
#include "triggers/trigger_def.hpp"

namespace pgdb::triggers {

// One trigger name on one table, as found in pg_trigger and in the extension's catalog.
struct Installed {
  bool exists = false;              // a trigger of that name is on the table
  std::string definition;           // its pg_get_triggerdef(), when it exists
  bool managed = false;             // recorded in pgdb_tools.managed_triggers
  bool same_spec = false;           // the recorded spec equals the declared one
  std::string recorded_definition;  // pg_get_triggerdef() right after pgdb_tools installed it
  bool enabled = true;              // not disabled by ALTER TABLE ... DISABLE TRIGGER
  bool recorded_enabled = true;     // the state enable_trigger() last asked for
  std::string recorded_ddl;         // the DDL pgdb_tools rendered when it installed it
  bool has_companion = false;       // its history TRUNCATE companion is on the table
  bool companion_taken = false;     // another trigger has the companion's name
};

enum class Action { create, replace, unchanged, drop };

const char* action_name(Action action);

struct Step {
  Action action;
  std::string table;  // quoted, qualified
  std::string trigger_name;
  std::string detail;
  std::vector<std::string> statements;  // none for unchanged
};

// The step for one declared trigger. Throws 42710 when an unmanaged trigger already has the name
// (or the name of the TRUNCATE companion the trigger needs): pgdb_tools never takes over a
// trigger it did not create. A companion the declared trigger no longer needs is dropped.
Step plan_declared(const TriggerDef& def, const std::string& qualified_table,
                   const std::string& ddl, const Installed& installed, KeywordLookup keywords);

// trigger_ddl(full => true): the declared trigger's complete DDL, whatever is installed.
Step full_ddl_step(const TriggerDef& def, const std::string& qualified_table,
                   const std::string& ddl);

// What prune drops on one table: a drop step for each of its managed triggers (in the order
// given) that the specs do not declare on it, with its TRUNCATE companion when with_companion
// names it. declared may be empty: a table listed in apply_triggers' `tables` that no spec names
// loses every managed trigger.
std::vector<Step> plan_prune(const std::string& qualified_table,
                             const std::vector<std::string>& managed,
                             const std::set<std::string>& declared,
                             const std::set<std::string>& with_companion, KeywordLookup keywords);

// trigger_ddl's text: every step's statements, each ended by ";\n".
std::string ddl_script(const std::vector<Step>& steps);

// ALTER TABLE ... ENABLE or DISABLE TRIGGER.
std::string enable_trigger_sql(const std::string& trigger_name, const std::string& qualified_table,
                               bool enabled, KeywordLookup keywords);

// DROP TRIGGER for a managed trigger that prune removes.
std::string drop_trigger_sql(const std::string& trigger_name, const std::string& qualified_table,
                             KeywordLookup keywords);

// The statements that drop a managed trigger and, when it has one, its TRUNCATE companion.
std::vector<std::string> drop_managed_sql(const std::string& trigger_name,
                                          const std::string& qualified_table, bool has_companion,
                                          KeywordLookup keywords);

}  // namespace pgdb::triggers
