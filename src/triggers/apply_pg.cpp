// apply_triggers() and trigger_ddl(): declared specs -> plan -> DDL through SPI, recorded in
// pgdb_tools.managed_triggers. The kind functions (protect(), updated_at(), ...) are SQL wrappers
// that call apply_triggers with one spec.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "pg/guard.hpp"
#include "pg/datum.hpp"
#include "pg/jsonb.hpp"
#include "pg/quote.hpp"
#include "pg/relation.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"
#include "pg/srf.hpp"
#include "pg/subtransaction.hpp"
#include "triggers/catalog.hpp"
#include "triggers/kinds.hpp"
#include "triggers/plan.hpp"

extern "C" {
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "parser/parser.h"
#include "utils/regproc.h"
#include "utils/syscache.h"
}

namespace pgdb::triggers {

namespace {

struct PlannedStep {
  Step step;
  Oid relid;
  pg::TableName table;
  std::string kind;
  std::string spec;  // canonical spec, JSON text
  std::string ddl;   // the CREATE OR REPLACE TRIGGER the spec renders to
};

// One spec resolved against the catalog: its table, trigger and canonical form.
struct Resolved {
  Spec spec;
  Oid relid;
  pg::TableName table;
  TriggerDef def;
  std::string canonical;
  std::string ddl;
};

// Names the caller wrote (tables, functions, configurations) resolve with the caller's
// search_path; everything else here runs under pg::trusted_search_path.
Oid resolve_name(const std::string& caller_path, PGFunction input, const std::string& name) {
  pg::SearchPath as_caller(caller_path);
  const char* text = name.c_str();
  return pg::call([input, text] {
    return DatumGetObjectId(DirectFunctionCall1(input, CStringGetDatum(text)));
  });
}

std::optional<std::string> column_type(pg::Spi& spi, Oid relid, std::string_view column) {
  spi.execute(
      "SELECT pg_catalog.format_type(atttypid, NULL) FROM pg_catalog.pg_attribute "
      "WHERE attrelid = $1 AND attname = $2 AND attnum > 0 AND NOT attisdropped",
      {pg::Param::oid(relid), pg::Param::text(column)}, true);
  if (spi.row_count() == 0) return std::nullopt;
  return spi.get_text(0, 0);
}

// 22023 unless value converts to type (format_type's spelling), so soft_delete fails at creation
// rather than at the first DELETE.
void require_castable(pg::Spi& spi, const std::string& value, const std::string& type) {
  if (auto failure = pg::try_in_subtransaction(
          [&] { spi.execute("SELECT CAST($1 AS " + type + ")", {pg::Param::text(value)}, true); }))
    throw Error(sqlstate::invalid_parameter_value,
                "value " + pg::quote_literal(value) + " is not a valid " + type, failure->message);
}

// The text search configuration, schema-qualified so the trigger does not depend on search_path.
std::string qualified_config(pg::Spi& spi, const std::string& caller_path,
                             const std::string& config) {
  spi.execute(
      "SELECT pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.cfgname) "
      "FROM pg_catalog.pg_ts_config c JOIN pg_catalog.pg_namespace n ON n.oid = c.cfgnamespace "
      "WHERE c.oid = $1",
      {pg::Param::oid(resolve_name(caller_path, regconfigin, config))}, true);
  if (spi.row_count() == 0)
    throw Error(sqlstate::undefined_object,
                "text search configuration " + pg::quote_literal(config) + " does not exist");
  return spi.get_text(0, 0).value();
}

// manage_trigger: the user's function, checked (returns trigger, the caller may execute it) and
// written as "schema.name()"; the default trigger name comes from the function's name.
void resolve_trigger_function(pg::Spi& spi, const std::string& caller_path, Spec& spec,
                              const std::string& table_name, bool check_privilege) {
  // "name" or "schema.name" (regproc: must be unique), "name()" or an OID (regprocedure).
  const std::string& given = spec.arg("function").text;
  if (given.empty())
    throw Error(sqlstate::invalid_parameter_value, "function must name a trigger function", {},
                "Pass it as 'schema.name()'.");
  bool signature = given.find('(') != std::string::npos ||
                   given.find_first_not_of("0123456789") == std::string::npos;
  Oid function = resolve_name(caller_path, signature ? regprocedurein : regprocin, given);
  spi.execute(
      "SELECT pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(p.proname) || "
      "'()', "
      "       p.proname::text, p.prorettype = 'pg_catalog.trigger'::pg_catalog.regtype, "
      "       pg_catalog.has_function_privilege(p.oid, 'EXECUTE'), "
      "       p.oid::pg_catalog.regprocedure::text, "
      "       l.lanname = 'c' AND p.prosrc = 'pgdb_tools_trigger_managed' "
      "FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace "
      "JOIN pg_catalog.pg_language l ON l.oid = p.prolang "
      "WHERE p.oid = $1",
      {pg::Param::oid(function)}, true);
  // regprocedurein takes any number as an OID, without looking it up.
  if (spi.row_count() == 0)
    throw Error("42883", "function " + given + " does not exist", {},
                "Pass the trigger function as 'schema.name()'.");
  std::string shown = spi.get_text(0, 4).value();
  if (!spi.get_bool(0, 2).value())
    throw Error("42809", "function " + shown + " does not return trigger", {},
                "manage_trigger puts trigger functions under management.");
  if (spi.get_bool(0, 5).value())
    throw Error("42809", "function " + shown + " is pgdb_tools' own dispatcher", {},
                "Pass the trigger function to put under management.");
  if (check_privilege && !spi.get_bool(0, 3).value())
    throw Error(sqlstate::insufficient_privilege, "permission denied for function " + shown);
  if (!spec.name) spec.name = default_trigger_name(spi.get_text(0, 1).value(), table_name);
  spec.args.set("function", Json::from_string(spi.get_text(0, 0).value()));
}

// 22023 unless condition is exactly one expression: it is pasted into WHEN (...), where text such
// as "true) EXECUTE FUNCTION other() --" would otherwise install a trigger unlike its record.
void require_expression(const std::string& condition) {
  std::string query = "SELECT (" + condition + ")";
  const char* text = query.c_str();
  List* statements = nullptr;
  if (auto failure = pg::try_in_subtransaction(
          [&] { statements = pg::call([text] { return raw_parser(text, RAW_PARSE_DEFAULT); }); }))
    throw Error(sqlstate::invalid_parameter_value, "condition is not a valid SQL expression",
                failure->message + ".", "For example: OLD.status IS DISTINCT FROM NEW.status");
  bool one_expression = false;
  if (list_length(statements) == 1) {
    Node* statement = linitial_node(RawStmt, statements)->stmt;
    if (IsA(statement, SelectStmt)) {
      auto* select = reinterpret_cast<SelectStmt*>(statement);
      one_expression = select->op == SETOP_NONE && list_length(select->targetList) == 1 &&
                       select->fromClause == nullptr && select->whereClause == nullptr &&
                       select->groupClause == nullptr && select->havingClause == nullptr &&
                       select->windowClause == nullptr && select->sortClause == nullptr &&
                       select->limitCount == nullptr && select->limitOffset == nullptr &&
                       select->lockingClause == nullptr && select->withClause == nullptr &&
                       select->distinctClause == nullptr && select->intoClause == nullptr;
    }
  }
  if (!one_expression)
    throw Error(sqlstate::invalid_parameter_value, "condition must be one boolean expression", {},
                "For example: OLD.status IS DISTINCT FROM NEW.status");
}

// Parses and resolves one spec: table (its owner only, when check_owner), kind-specific lookups,
// the trigger and its DDL. Raises the spec's first problem.
Resolved resolve_spec(pg::Spi& spi, const std::string& caller_path, const Json& json,
                      std::size_t position, bool check_owner) {
  Spec spec = parse_spec(json, position);
  Oid relid = resolve_name(caller_path, regclassin, spec.tbl);
  // "-" and "0" are regclass's spelling of no table.
  if (!OidIsValid(relid))
    throw Error(sqlstate::invalid_parameter_value,
                "spec " + std::to_string(position) + " (" + spec.kind + "): \"tbl\" names no table",
                {}, "Name the table, e.g. \"tbl\": \"app.orders\".");
  pg::require_table(relid, "tbl");
  pg::require_user_table(spi, relid, "manage triggers on");
  if (check_owner) pg::require_table_owner(relid, "manage its triggers");
  pg::TableName table = pg::table_name(relid);
  if (spec.kind == "manage_trigger")
    resolve_trigger_function(spi, caller_path, spec, table.name, check_owner);
  if (spec.kind == "search_vector")
    spec.args.set("config",
                  Json::from_string(qualified_config(spi, caller_path, spec.arg("config").text)));
  if (spec.condition) require_expression(*spec.condition);
  Target target{table.schema, table.name, table.quoted()};
  TriggerDef def = build_trigger(
      spec, target, [&](std::string_view column) { return column_type(spi, relid, column); });
  // Checks that run code (a domain's CHECK in the cast) or depend on the caller's rights are for
  // applying; rendering a recorded spec (check_owner false, from the triggers view) only reads
  // the catalog.
  if (check_owner && spec.kind == "soft_delete" && spec.arg("value").type == Json::Type::string)
    require_castable(spi, spec.arg("value").text,
                     column_type(spi, relid, spec.arg("column_name").text).value());
  std::string canonical = to_json_text(canonical_spec(spec, target.qualified, def.name));
  std::string ddl = create_trigger_sql(def, pg::server_keywords);
  return Resolved{std::move(spec),      relid,         std::move(table), std::move(def),
                  std::move(canonical), std::move(ddl)};
}

// How plan_specs plans: against what is installed (apply_triggers, trigger_ddl), or every
// declared trigger's complete DDL whatever is installed (trigger_ddl(full => true)).
enum class Planning { installed, full };

// listed: apply_triggers' `tables`, checked like a spec's table; prune considers their managed
// triggers even when no spec names them.
std::vector<PlannedStep> plan_specs(pg::Spi& spi, const std::string& caller_path, const Json& specs,
                                    bool prune, const std::vector<Oid>& listed = {},
                                    Planning planning = Planning::installed) {
  if (specs.type != Json::Type::array)
    throw Error(sqlstate::invalid_parameter_value,
                "specs must be a JSON array, not " + std::string(specs.type_name()), {},
                "Pass '[{\"kind\": \"protect\", \"tbl\": \"app.orders\"}]'.");
  std::vector<PlannedStep> planned;
  std::map<std::pair<Oid, std::string>, std::size_t> declared;  // (table, trigger) -> position
  std::map<Oid, pg::TableName> tables;
  for (std::size_t i = 0; i < specs.items.size(); ++i) {
    Resolved r = resolve_spec(spi, caller_path, specs.items[i], i + 1, true);
    const TriggerDef& def = r.def;
    Oid relid = r.relid;
    const pg::TableName& table = r.table;
    auto [seen, fresh] = declared.emplace(std::pair{relid, def.name}, i + 1);
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
    planned.push_back(PlannedStep{step, relid, table, r.spec.kind, r.canonical, r.ddl});
    tables.emplace(relid, table);
  }
  for (Oid relid : listed) {
    // "-" and "0" are regclass's spelling of no table.
    if (!OidIsValid(relid))
      throw Error(sqlstate::invalid_parameter_value, "tables names no table (\"-\" or 0)", {},
                  "List the tables, e.g. tables => '{app.orders}'.");
    pg::require_table(relid, "relation");
    pg::require_user_table(spi, relid, "manage triggers on");
    pg::require_table_owner(relid, "manage its triggers");
    tables.emplace(relid, pg::table_name(relid));
  }
  if (prune) {
    for (const auto& [relid, table] : tables) {
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
      for (const auto& [key, position] : declared) {
        if (key.first == relid) declared_here.insert(key.second);
      }
      for (Step& step : plan_prune(table.quoted(), managed, declared_here, pg::server_keywords)) {
        std::string kind = kinds.at(step.trigger_name);
        planned.push_back(PlannedStep{std::move(step), relid, table, std::move(kind), {}, {}});
      }
    }
  }
  return planned;
}

void record(pg::Spi& spi, Oid owner, const PlannedStep& p) {
  if (p.step.action == Action::drop) {
    forget_record(spi, owner, p.table.schema, p.table.name, p.step.trigger_name);
    return;
  }
  spi.execute(
      "SELECT pg_catalog.pg_get_triggerdef(oid) FROM pg_catalog.pg_trigger "
      "WHERE tgrelid = $1 AND tgname = $2",
      {pg::Param::oid(p.relid),
       pg::Param::text(p.step.trigger_name)});  // not read-only: must see the DDL
  if (spi.row_count() == 0)
    throw Error(sqlstate::object_not_in_prerequisite_state,
                "trigger " + pg::quote_identifier(p.step.trigger_name) + " on table " +
                    p.table.quoted() + " is missing after its DDL ran",
                {}, "An event trigger or a concurrent DROP may have removed it.");
  std::string definition = spi.get_text(0, 0).value();
  pg::ActingAs as_owner(owner);
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
       pg::Param::text(definition), pg::Param::text(p.ddl)});
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
  Oid owner = dry_run ? InvalidOid : pg::extension_owner(spi);
  for (const PlannedStep& p : planned) {
    if (!dry_run && p.step.action != Action::unchanged) {
      {
        // A condition may call the caller's functions: it is parsed with their search_path.
        pg::SearchPath as_caller(caller_path);
        for (const std::string& statement : p.step.statements) spi.execute(statement);
      }
      record(spi, owner, p);
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
  for (const std::optional<Datum>& item : pg::array_items(array, REGCLASSOID, "tables")) {
    if (!item) throw Error(sqlstate::invalid_parameter_value, "tables must not contain NULL");
    Oid relid = DatumGetObjectId(*item);
    if (std::find(tables.begin(), tables.end(), relid) == tables.end()) tables.push_back(relid);
  }
  return tables;
}

}  // namespace

Rendered render_recorded_spec(pg::Spi& spi, const Json& spec) {
  // Recorded specs hold schema-qualified names: no caller's path is needed to resolve them.
  Resolved resolved = resolve_spec(spi, pg::trusted_search_path, spec, 1, false);
  return Rendered{std::move(resolved.canonical), std::move(resolved.ddl)};
}

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
  HeapTuple proc =
      pg::call([function] { return SearchSysCache1(PROCOID, ObjectIdGetDatum(function)); });
  if (!HeapTupleIsValid(proc))
    throw Error(sqlstate::undefined_object, "function " + std::to_string(function) + " is gone");
  std::string kind = NameStr(reinterpret_cast<Form_pg_proc>(GETSTRUCT(proc))->proname);
  Oid* types = nullptr;
  char** names = nullptr;
  char* modes = nullptr;
  int count = pg::call([&] { return get_func_arg_info(proc, &types, &names, &modes); });
  ReleaseSysCache(proc);
  if (names == nullptr || count != PG_NARGS())
    throw Error(sqlstate::internal_error, "kind function " + kind + " has unnamed arguments");
  Json spec = Json::object();
  spec.set("kind", Json::from_string(kind));
  for (int i = 0; i < count; ++i) {
    Json value;
    if (!PG_ARGISNULL(i)) {
      Datum arg = PG_GETARG_DATUM(i);
      switch (types[i]) {
        case REGCLASSOID:
        case REGPROCEDUREOID:
        case REGCONFIGOID:  // as OIDs: resolved again, and checked, like names in a JSON spec
          value = Json::from_string(std::to_string(DatumGetObjectId(arg)));
          break;
        case TEXTOID:
          value = Json::from_string(pg::text_to_string(arg));
          break;
        case BOOLOID:
          value = Json::from_bool(DatumGetBool(arg));
          break;
        case JSONBOID:
          value = pg::jsonb_to_json(arg);
          break;
        case TEXTARRAYOID:
          value = text_array_json(arg, names[i]);
          break;
        default:
          throw Error(sqlstate::internal_error,
                      "kind function " + kind + " has an argument of an unexpected type");
      }
    }
    spec.set(names[i], std::move(value));
  }
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
