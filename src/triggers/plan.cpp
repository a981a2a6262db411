#include "triggers/plan.hpp"

#include "core/error.hpp"
#include "core/pg_free.hpp"

namespace pgdb::triggers {

const char* action_name(Action action) {
  switch (action) {
    case Action::create:
      return "create";
    case Action::replace:
      return "replace";
    case Action::unchanged:
      return "unchanged";
    case Action::drop:
      return "drop";
  }
  return "";
}

Step plan_declared(const TriggerDef& def, const std::string& qualified_table,
                   const std::string& ddl, const Installed& installed, KeywordLookup keywords) {
  Step step{Action::create, qualified_table, def.name, {}, {ddl}};
  if (installed.exists && !installed.managed)
    throw Error(sqlstate::duplicate_object,
                "trigger \"" + def.name + "\" for table " + qualified_table +
                    " already exists and is not managed by pgdb_tools",
                {},
                "Choose another name with name => '...', or drop the existing trigger first. "
                "pgdb_tools never replaces a trigger it did not create.");
  bool companion = !def.truncate_companion.empty();
  if (companion && installed.companion_taken)
    throw Error(sqlstate::duplicate_object,
                "trigger \"" + def.truncate_companion + "\" for table " + qualified_table +
                    " already exists and is not the TRUNCATE companion of \"" + def.name + "\"",
                {},
                "TRUNCATE with row operations needs that name for a statement-level trigger: "
                "choose another name with name => '...', or drop the existing trigger first.");
  // A trigger stays disabled once enable_trigger() disabled it; CREATE OR REPLACE TRIGGER
  // enables, so disabling follows it.
  bool want_enabled = !installed.managed || installed.recorded_enabled;
  std::vector<std::string> toggle = {
      enable_trigger_sql(def.name, qualified_table, want_enabled, keywords)};
  if (companion)
    toggle.push_back(
        enable_trigger_sql(def.truncate_companion, qualified_table, want_enabled, keywords));
  if (!companion && installed.has_companion)
    step.statements.push_back(
        drop_trigger_sql(companion_trigger_name(def.name), qualified_table, keywords));
  if (!installed.exists) {
    step.detail = installed.managed ? "recorded but missing: recreated" : "new trigger";
  } else if (!installed.same_spec) {
    step.action = Action::replace;
    step.detail = "spec changed";
  } else if (installed.recorded_ddl != ddl) {
    step.action = Action::replace;
    step.detail = "outdated: this version of pgdb_tools installs it differently";
  } else if (installed.definition != installed.recorded_definition) {
    step.action = Action::replace;
    step.detail = "installed trigger was modified outside pgdb_tools: restored";
  } else if (installed.enabled != want_enabled) {
    step.action = Action::replace;
    step.detail = want_enabled ? "trigger was disabled outside pgdb_tools: enabled"
                               : "trigger was enabled outside pgdb_tools: disabled";
    step.statements = toggle;
    return step;
  } else {
    step.action = Action::unchanged;
    step.statements.clear();
    return step;
  }
  if (!want_enabled) step.statements.insert(step.statements.end(), toggle.begin(), toggle.end());
  return step;
}

Step full_ddl_step(const TriggerDef& def, const std::string& qualified_table,
                   const std::string& ddl) {
  return Step{Action::create, qualified_table, def.name, "full DDL", {ddl}};
}

std::vector<Step> plan_prune(const std::string& qualified_table,
                             const std::vector<std::string>& managed,
                             const std::set<std::string>& declared,
                             const std::set<std::string>& with_companion, KeywordLookup keywords) {
  std::vector<Step> steps;
  for (const std::string& name : managed) {
    if (declared.count(name)) continue;
    steps.push_back(
        Step{Action::drop, qualified_table, name,
             declared.empty() ? "no spec for this table" : "not in specs",
             drop_managed_sql(name, qualified_table, with_companion.count(name) > 0, keywords)});
  }
  return steps;
}

std::string ddl_script(const std::vector<Step>& steps) {
  std::string script;
  for (const Step& step : steps) {
    for (const std::string& statement : step.statements) script += statement + ";\n";
  }
  return script;
}

std::string enable_trigger_sql(const std::string& trigger_name, const std::string& qualified_table,
                               bool enabled, KeywordLookup keywords) {
  return "ALTER TABLE " + qualified_table + (enabled ? " ENABLE" : " DISABLE") + " TRIGGER " +
         quote_identifier(trigger_name, keywords);
}

std::string drop_trigger_sql(const std::string& trigger_name, const std::string& qualified_table,
                             KeywordLookup keywords) {
  return "DROP TRIGGER IF EXISTS " + quote_identifier(trigger_name, keywords) + " ON " +
         qualified_table;
}

std::vector<std::string> drop_managed_sql(const std::string& trigger_name,
                                          const std::string& qualified_table, bool has_companion,
                                          KeywordLookup keywords) {
  std::vector<std::string> statements = {drop_trigger_sql(trigger_name, qualified_table, keywords)};
  if (has_companion)
    statements.push_back(
        drop_trigger_sql(companion_trigger_name(trigger_name), qualified_table, keywords));
  return statements;
}

}  // namespace pgdb::triggers
