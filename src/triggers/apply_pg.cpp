// apply_triggers() and trigger_ddl(): declared specs -> plan -> DDL through SPI, recorded in
// pgdb_tools.managed_triggers. The kind functions (protect(), updated_at(), ...) are SQL wrappers
// that call apply_triggers with one spec. Specs are resolved against the catalog in resolve_pg.cpp.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "pg/datum.hpp"
#include "pg/guard.hpp"
#include "pg/jsonb.hpp"
#include "pg/quote.hpp"
#include "pg/relation.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"
#include "pg/srf.hpp"
#include "pg/subtransaction.hpp"
#include "pg/syscache.hpp"
#include "triggers/catalog.hpp"
#include "triggers/history.hpp"
#include "triggers/plan.hpp"
#include "triggers/resolve.hpp"

extern "C" {
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
}

namespace pgdb::triggers {

namespace {

struct PlannedStep {
  Step step;
  Oid relid;
  pg::TableName table;
  std::string kind;
  std::string spec;                  // canonical spec, JSON text
  std::string ddl;                   // the CREATE OR REPLACE TRIGGER the spec renders to
  std::vector<std::string> history;  // history: the schema and the history table
};

// How plan_specs plans: against what is installed (apply_triggers, trigger_ddl), or every
// declared trigger's complete DDL whatever is installed (trigger_ddl(full => true)).
enum class Planning { installed, full };

// What a plan is made of: its steps so far, and the triggers declared on each table.
struct Planned {
  std::vector<PlannedStep> steps;
  std::map<std::pair<Oid, std::string>, std::size_t> declared;  // (table, trigger) -> position
  std::map<Oid, pg::TableName> tables;
};

// One step per declared spec; 22023 when two declare the same trigger.
void plan_declared_specs(pg::Spi& spi, const std::string& caller_path, const Json& specs,
                         Planning planning, Planned& plan) {
  for (std::size_t i = 0; i < specs.items.size(); ++i) {
    Resolved r = resolve_spec(spi, caller_path, specs.items[i], i + 1, true);
    const TriggerDef& def = r.def;
    Oid relid = r.relid;
    const pg::TableName& table = r.table;
    auto [seen, fresh] = plan.declared.emplace(std::pair{relid, def.name}, i + 1);
    if (!fresh)
      throw Error(sqlstate::invalid_parameter_value,
                  "specs " + std::to_string(seen->second) + " and " + std::to_string(i + 1) +
                      " both declare trigger \"" + def.name + "\" on table " + table.quoted(),
                  {}, "Give one of them another name with \"name\".");
    Step step = planning == Planning::full
                    ? full_ddl_step(def, table.quoted(), r.ddl)
                    : plan_declared(def, table.quoted(), r.ddl,
                                    installed_state(spi, relid, table, def.name, r.canonical),
                                    pg::server_keywords);
    std::vector<std::string> history;
    if (r.spec.kind == "history") history = {def.args.at(0), def.args.at(1)};
    plan.steps.push_back(
        PlannedStep{step, relid, table, r.spec.kind, r.canonical, r.ddl, std::move(history)});
    plan.tables.emplace(relid, table);
  }
}

// The drops of the managed triggers on the plan's tables that no spec declares.
void plan_prunes(pg::Spi& spi, Planned& plan) {
  for (const auto& [relid, table] : plan.tables) {
    spi.execute(
        "SELECT trigger_name::text, kind FROM pgdb_tools.managed_triggers "
        "WHERE table_schema = $1 AND table_name = $2 ORDER BY trigger_name",
        {pg::Param::text(table.schema), pg::Param::text(table.name)}, true);
    std::vector<std::string> managed;
    std::map<std::string, std::string> kinds;
    for (std::uint64_t r = 0; r < spi.row_count(); ++r) {
      managed.push_back(spi.get_text(r, 0).value());
      kinds.emplace(managed.back(), spi.get_text(r, 1).value());
    }
    std::set<std::string> declared_here;
    for (const auto& [key, position] : plan.declared) {
      if (key.first == relid) declared_here.insert(key.second);
    }
    std::set<std::string> with_companion;
    for (const std::string& name : managed) {
      if (!declared_here.count(name) && installed_state(spi, relid, table, name).has_companion)
        with_companion.insert(name);
    }
    for (Step& step :
         plan_prune(table.quoted(), managed, declared_here, with_companion, pg::server_keywords)) {
      std::string kind = kinds.at(step.trigger_name);
      plan.steps.push_back(PlannedStep{std::move(step), relid, table, std::move(kind), {}, {}, {}});
    }
  }
}

// listed: apply_triggers' `tables`, checked like a spec's table; prune considers their managed
// triggers even when no spec names them.
std::vector<PlannedStep> plan_specs(pg::Spi& spi, const std::string& caller_path, const Json& specs,
                                    bool prune, const std::vector<Oid>& listed = {},
                                    Planning planning = Planning::installed) {
  if (specs.type != Json::Type::array)
    throw Error(sqlstate::invalid_parameter_value,
                "specs must be a JSON array, not " + std::string(specs.type_name()), {},
                "Pass '[{\"kind\": \"protect\", \"tbl\": \"app.orders\"}]'.");
  Planned plan;
  plan_declared_specs(spi, caller_path, specs, planning, plan);
  for (Oid relid : listed) {
    // "-" and "0" are regclass's spelling of no table.
    if (!OidIsValid(relid))
      throw Error(sqlstate::invalid_parameter_value, "tables names no table (\"-\" or 0)", {},
                  "List the tables, e.g. tables => '{app.orders}'.");
    require_manageable_table(spi, relid, "relation", true);
    plan.tables.emplace(relid, pg::table_name(relid));
  }
  if (prune) plan_prunes(spi, plan);
  return std::move(plan.steps);
}

void record(pg::Spi& spi, const pg::ExtensionOwner& owner, const PlannedStep& p) {
  if (p.step.action == Action::drop) {
    forget_record(spi, owner, p.table.schema, p.table.name, p.step.trigger_name);
    return;
  }
  std::optional<std::string> definition = trigger_definition(spi, p.relid, p.step.trigger_name);
  if (!definition)
    throw Error(sqlstate::object_not_in_prerequisite_state,
                "trigger " + pg::quote_identifier(p.step.trigger_name) + " on table " +
                    p.table.quoted() + " is missing after its DDL ran",
                {}, "An event trigger or a concurrent DROP may have removed it.");
  pg::ActingAs as_owner = owner.acting();
  spi.execute(
      "INSERT INTO pgdb_tools.managed_triggers "
      "  (table_schema, table_name, trigger_name, kind, spec, installed_definition, installed_ddl) "
      "VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7) "
      "ON CONFLICT (table_schema, table_name, trigger_name) DO UPDATE "
      "SET kind = EXCLUDED.kind, spec = EXCLUDED.spec, "
      "    installed_definition = EXCLUDED.installed_definition, "
      "    installed_ddl = EXCLUDED.installed_ddl, "
      "    installed_at = pg_catalog.now()",
      {pg::Param::text(p.table.schema), pg::Param::text(p.table.name),
       pg::Param::text(p.step.trigger_name), pg::Param::text(p.kind), pg::Param::text(p.spec),
       pg::Param::text(*definition), pg::Param::text(p.ddl)});
}

using Row = std::vector<std::optional<std::string>>;

// Plans the specs, runs the DDL (unless dry_run) and records it; one row per step.
std::vector<Row> apply_specs(const Json& specs, bool prune, bool dry_run,
                             const std::vector<Oid>& listed = {}) {
  std::vector<Row> rows;
  std::string caller_path = pg::current_search_path();
  pg::SearchPath trusted(pg::trusted_search_path);
  pg::Spi spi;
  std::vector<PlannedStep> planned = plan_specs(spi, caller_path, specs, prune, listed);
  std::optional<pg::ExtensionOwner> owner;
  if (!dry_run) owner.emplace(spi);
  for (const PlannedStep& p : planned) {
    // The history table exists before its trigger fires, and is kept when the trigger changes.
    if (!dry_run && !p.history.empty() && p.step.action != Action::drop)
      ensure_history_table(spi, p.relid, p.history.at(0), p.history.at(1));
    if (!dry_run && p.step.action != Action::unchanged) {
      {
        // A condition may call the caller's functions: it is parsed with their search_path.
        pg::SearchPath as_caller(caller_path);
        for (const std::string& statement : p.step.statements) spi.execute(statement);
      }
      record(spi, *owner, p);
    }
    rows.push_back({action_name(p.step.action), p.step.table, p.step.trigger_name,
                    p.step.detail.empty() ? std::nullopt : std::optional(p.step.detail)});
  }
  return rows;  // SPI_finish follows: the caller builds its result in its own memory
}

// A text[] argument as a JSON array; a NULL item becomes JSON null, which the spec's parser
// refuses naming the argument.
Json text_array_json(Datum array, const char* argument) {
  Json json = Json::array();
  for (const std::optional<std::string>& item : pg::text_array_items(array, argument))
    json.items.push_back(item ? Json::from_string(*item) : Json::null_value());
  return json;
}

// apply_triggers' tables: each once, in the order given; 22023 for a NULL item.
std::vector<Oid> listed_tables(Datum array) {
  std::vector<Oid> tables;
  for (Datum item : pg::array_values(array, REGCLASSOID, "tables")) {
    Oid relid = DatumGetObjectId(item);
    if (std::find(tables.begin(), tables.end(), relid) == tables.end()) tables.push_back(relid);
  }
  return tables;
}

// A kind function's argument as the spec's value: regclass, regprocedure and regconfig as OIDs,
// resolved again (and checked) like names in a JSON spec.
Json argument_json(const std::string& kind, Oid type, Datum arg, const char* name) {
  switch (type) {
    case REGCLASSOID:
    case REGPROCEDUREOID:
    case REGCONFIGOID:
      return Json::from_string(std::to_string(DatumGetObjectId(arg)));
    case TEXTOID:
      return Json::from_string(pg::text_to_string(arg));
    case BOOLOID:
      return Json::from_bool(DatumGetBool(arg));
    case JSONBOID:
      return pg::jsonb_to_json(arg);
    case TEXTARRAYOID:
      return text_array_json(arg, name);
    default:
      throw Error(sqlstate::internal_error,
                  "kind function " + kind + " has an argument of an unexpected type");
  }
}

}  // namespace

}  // namespace pgdb::triggers

using namespace pgdb;
using namespace pgdb::triggers;

// apply_triggers(specs jsonb, prune boolean, dry_run boolean, tables regclass[])
//   RETURNS TABLE(action text, table_name text, trigger_name text, detail text)
PGDB_FUNCTION(pgdb_tools_apply_triggers) {
  if (PG_ARGISNULL(0)) throw Error(sqlstate::invalid_parameter_value, "specs must not be NULL");
  Json specs = pg::jsonb_to_json(PG_GETARG_DATUM(0));
  bool prune = !PG_ARGISNULL(1) && PG_GETARG_BOOL(1);
  bool dry_run = !PG_ARGISNULL(2) && PG_GETARG_BOOL(2);
  // tables (added in 0.3.0; the 0.2.0 declaration has three arguments)
  std::vector<Oid> listed;
  if (PG_NARGS() > 3 && !PG_ARGISNULL(3)) listed = listed_tables(PG_GETARG_DATUM(3));
  if (!listed.empty() && !prune)
    throw Error(sqlstate::invalid_parameter_value, "tables is only used with prune => true", {},
                "tables names the tables whose managed triggers prune may drop when the specs do "
                "not declare them.");
  std::vector<Row> rows = apply_specs(specs, prune, dry_run, listed);
  pg::ResultRows result(fcinfo);
  for (const Row& row : rows) result.add(row);
  PG_RETURN_NULL();
}

// protect(), updated_at(), read_only(), soft_delete(), fsm(), row_version(), search_vector() and
// manage_trigger() RETURNS text: each function's name is its kind and its argument names are the
// spec's keys, so one entry point builds the spec from the call and applies it as
// apply_triggers would, returning the trigger's name. Written in C rather than SQL so that the
// caller's search_path (for the condition and the names in the spec) is at hand while everything
// else runs under the trusted one.
PGDB_FUNCTION(pgdb_tools_kind_function) {
  Oid function = fcinfo->flinfo->fn_oid;
  std::string kind;
  Oid* types = nullptr;
  char** names = nullptr;
  int count = 0;
  {
    pg::CatalogRow proc(PROCOID, function);
    if (!proc)
      throw Error(sqlstate::undefined_object, "function " + std::to_string(function) + " is gone");
    kind = NameStr(proc.form<FormData_pg_proc>()->proname);
    if (kind == "track_history") kind = "history";
    HeapTuple tuple = proc.tuple();
    char* modes = nullptr;
    count = pg::call([&] { return get_func_arg_info(tuple, &types, &names, &modes); });
  }
  if (names == nullptr || count != PG_NARGS())
    throw Error(sqlstate::internal_error, "kind function " + kind + " has unnamed arguments");
  Json spec = Json::object();
  spec.set("kind", Json::from_string(kind));
  for (int i = 0; i < count; ++i)
    spec.set(names[i], PG_ARGISNULL(i)
                           ? Json()
                           : argument_json(kind, types[i], PG_GETARG_DATUM(i), names[i]));
  Json specs = Json::array();
  specs.items.push_back(std::move(spec));
  std::vector<Row> rows = apply_specs(specs, false, false);
  return pg::string_to_text(rows.at(0).at(2).value());
}

// trigger_ddl(specs jsonb, full boolean) RETURNS text: the statements apply_triggers would run,
// one per line; with full, every declared trigger's CREATE OR REPLACE TRIGGER whatever is
// installed.
PGDB_FUNCTION(pgdb_tools_trigger_ddl) {
  if (PG_ARGISNULL(0)) throw Error(sqlstate::invalid_parameter_value, "specs must not be NULL");
  Json specs = pg::jsonb_to_json(PG_GETARG_DATUM(0));
  // full (added in 0.3.0; the 0.2.0 declaration has one argument)
  bool full = PG_NARGS() > 1 && !PG_ARGISNULL(1) && PG_GETARG_BOOL(1);
  std::string ddl;
  {
    std::string caller_path = pg::current_search_path();
    pg::SearchPath trusted(pg::trusted_search_path);
    pg::Spi spi;
    std::vector<Step> steps;
    for (PlannedStep& p : plan_specs(spi, caller_path, specs, false, {},
                                     full ? Planning::full : Planning::installed))
      steps.push_back(std::move(p.step));
    ddl = ddl_script(steps);
  }
  return pg::string_to_text(ddl);
}

// _trigger_spec_ddl(spec jsonb) RETURNS text: the CREATE OR REPLACE TRIGGER a recorded spec renders
// to with this version of pgdb_tools, or NULL when it no longer resolves (the triggers view
// compares it with what was installed: 'outdated'). A cancel or statement_timeout ends the view's
// query instead.
PGDB_FUNCTION(pgdb_tools_trigger_spec_ddl) {
  Json spec = pg::jsonb_to_json(PG_GETARG_DATUM(0));
  std::optional<std::string> ddl;
  {
    pg::SearchPath trusted(pg::trusted_search_path);
    pg::Spi spi;
    if (pg::try_in_subtransaction([&] { ddl = render_recorded_spec(spi, spec).ddl; })) ddl.reset();
  }
  if (!ddl) PG_RETURN_NULL();
  return pg::string_to_text(*ddl);
}
