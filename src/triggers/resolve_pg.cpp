// Declared specs resolved against the catalog (resolve.hpp), for apply_triggers, trigger_ddl and
// the triggers view's rendering of recorded specs.
#include "triggers/resolve.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/error.hpp"
#include "pg/catalog.hpp"
#include "pg/guard.hpp"
#include "pg/quote.hpp"
#include "pg/relation.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"
#include "pg/subtransaction.hpp"
#include "triggers/catalog.hpp"
#include "triggers/kinds.hpp"

extern "C" {
#include "parser/parser.h"
#include "utils/regproc.h"
}

namespace pgdb::triggers {

namespace {

// Names the caller wrote (tables, functions, configurations) resolve with the caller's
// search_path (pg::lookup_name); everything else here runs under pg::trusted_search_path.

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
      {pg::Param::oid(pg::lookup_name(caller_path, regconfigin, config.c_str()))}, true);
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
  Oid function =
      pg::lookup_name(caller_path, signature ? regprocedurein : regprocin, given.c_str());
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

}  // namespace

void require_manageable_table(pg::Spi& spi, Oid relid, const char* argument, bool check_owner) {
  pg::require_table(relid, argument);
  pg::require_user_table(spi, relid, "manage triggers on");
  if (check_owner) pg::require_table_owner(relid, "manage its triggers");
}

// Parses and resolves one spec: table (its owner only, when check_owner), kind-specific lookups,
// the trigger and its DDL. Raises the spec's first problem.
Resolved resolve_spec(pg::Spi& spi, const std::string& caller_path, const Json& json,
                      std::size_t position, bool check_owner) {
  Spec spec = parse_spec(json, position);
  Oid relid = pg::lookup_name(caller_path, regclassin, spec.tbl.c_str());
  // "-" and "0" are regclass's spelling of no table.
  if (!OidIsValid(relid))
    throw Error(sqlstate::invalid_parameter_value,
                "spec " + std::to_string(position) + " (" + spec.kind + "): \"tbl\" names no table",
                {}, "Name the table, e.g. \"tbl\": \"app.orders\".");
  require_manageable_table(spi, relid, "tbl", check_owner);
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

Rendered render_recorded_spec(pg::Spi& spi, const Json& spec) {
  // Recorded specs hold schema-qualified names: no caller's path is needed to resolve them.
  Resolved resolved = resolve_spec(spi, pg::trusted_search_path, spec, 1, false);
  return Rendered{std::move(resolved.canonical), std::move(resolved.ddl)};
}

}  // namespace pgdb::triggers
