// drop_trigger(), enable_trigger() and prune_triggers(): managing recorded triggers one by one.
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "pg/datum.hpp"
#include "pg/guard.hpp"
#include "pg/quote.hpp"
#include "pg/relation.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"
#include "triggers/catalog.hpp"
#include "triggers/plan.hpp"
#include "triggers/spec.hpp"
#include "triggers/trigger_def.hpp"

namespace pgdb::triggers {

namespace {

// 22023 for NULL and for regclass's spelling of no table ('-', 0).
Oid given_table(FunctionCallInfo fcinfo) {
  if (PG_ARGISNULL(0) || !OidIsValid(PG_GETARG_OID(0)))
    throw Error(sqlstate::invalid_parameter_value, "tbl must name a table");
  Oid relid = PG_GETARG_OID(0);
  pg::require_table(relid, "tbl");
  return relid;
}

pg::TableName owned_table(FunctionCallInfo fcinfo) {
  Oid relid = given_table(fcinfo);
  pg::require_table_owner(relid, "manage its triggers");
  return pg::table_name(relid);
}

std::string trigger_arg_name(FunctionCallInfo fcinfo) {
  if (PG_ARGISNULL(1) || pg::text_to_string(PG_GETARG_DATUM(1)).empty())
    throw Error(sqlstate::invalid_parameter_value, "name must name a trigger");
  std::string name = pg::text_to_string(PG_GETARG_DATUM(1));
  require_trigger_name_length(name, "name");
  return name;
}

Error not_managed(const std::string& name, const pg::TableName& table) {
  return Error(sqlstate::undefined_object,
               "no managed trigger " + pg::quote_identifier(name) + " on table " + table.quoted(),
               {}, "pgdb_tools.triggers lists the managed triggers.");
}

}  // namespace

}  // namespace pgdb::triggers

using namespace pgdb;
using namespace pgdb::triggers;

// drop_trigger(tbl regclass, name text) RETURNS boolean: drops a managed trigger and its record;
// false when there was nothing to drop.
PGDB_FUNCTION(pgdb_tools_drop_trigger) {
  pg::TableName table = owned_table(fcinfo);
  std::string name = trigger_arg_name(fcinfo);
  Oid relid = PG_GETARG_OID(0);
  pg::SearchPath trusted(pg::trusted_search_path);
  pg::Spi spi;
  Installed found = installed_state(spi, relid, table, name);
  if (!found.managed && found.exists)
    throw Error(sqlstate::object_not_in_prerequisite_state,
                "trigger " + pg::quote_identifier(name) + " on table " + table.quoted() +
                    " is not managed by pgdb_tools",
                {}, "Use DROP TRIGGER for triggers pgdb_tools did not create.");
  if (!found.managed) PG_RETURN_BOOL(false);
  for (const std::string& statement :
       drop_managed_sql(name, table.quoted(), found.has_companion, pg::server_keywords))
    spi.execute(statement);
  pg::ExtensionOwner owner(spi);
  forget_record(spi, owner, table.schema, table.name, name);
  PG_RETURN_BOOL(true);
}

// enable_trigger(tbl regclass, name text, enabled boolean) RETURNS boolean: enables or disables a
// managed trigger and records the choice, which apply_triggers() keeps; false when already so.
PGDB_FUNCTION(pgdb_tools_enable_trigger) {
  pg::TableName table = owned_table(fcinfo);
  std::string name = trigger_arg_name(fcinfo);
  bool enabled = PG_ARGISNULL(2) || PG_GETARG_BOOL(2);
  Oid relid = PG_GETARG_OID(0);
  pg::SearchPath trusted(pg::trusted_search_path);
  pg::Spi spi;
  Installed found = installed_state(spi, relid, table, name);
  if (!found.managed) throw not_managed(name, table);
  bool changed = found.recorded_enabled != enabled || (found.exists && found.enabled != enabled);
  if (found.exists && found.enabled != enabled)
    spi.execute(enable_trigger_sql(name, table.quoted(), enabled, pg::server_keywords));
  // A history trigger's TRUNCATE companion follows it.
  if (found.has_companion)
    spi.execute(enable_trigger_sql(companion_trigger_name(name), table.quoted(), enabled,
                                   pg::server_keywords));
  if (found.recorded_enabled != enabled) {
    pg::AsExtensionOwner as_owner(spi);
    spi.execute(
        "UPDATE pgdb_tools.managed_triggers SET enabled = $4 "
        "WHERE table_schema = $1 AND table_name = $2 AND trigger_name = $3",
        {pg::Param::text(table.schema), pg::Param::text(table.name), pg::Param::text(name),
         pg::Param::boolean(enabled)});
  }
  PG_RETURN_BOOL(changed);
}

// prune_triggers(tbl regclass DEFAULT NULL) RETURNS integer: removes the records of managed
// triggers that are gone (missing) on tables the caller owns, and, without tbl, the records of
// tables that no longer exist (orphaned) when the caller is a superuser or in pgdb_tools_bypass.
PGDB_FUNCTION(pgdb_tools_prune_triggers) {
  Oid only = InvalidOid;
  if (!PG_ARGISNULL(0)) {
    only = given_table(fcinfo);
    pg::require_table_owner(only, "manage its triggers");
  }
  bool may_prune_orphans = only == InvalidOid && (superuser() || pg::may_bypass());
  pg::SearchPath trusted(pg::trusted_search_path);
  pg::Spi spi;
  spi.execute(
      "SELECT m.table_schema::text, m.table_name::text, m.trigger_name::text, c.oid::int8 "
      "FROM pgdb_tools.managed_triggers m "
      "LEFT JOIN pg_catalog.pg_namespace n ON n.nspname = m.table_schema "
      "LEFT JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = m.table_name "
      "LEFT JOIN pg_catalog.pg_trigger t ON t.tgrelid = c.oid AND t.tgname = m.trigger_name "
      "WHERE t.oid IS NULL AND ($1 = 0 OR c.oid = $1) "
      "ORDER BY 1, 2, 3",
      {pg::Param::oid(only)});
  struct Gone {
    std::string schema, table, name;
    Oid relid;
  };
  std::vector<Gone> gone;
  for (std::uint64_t r = 0; r < spi.row_count(); ++r) {
    gone.push_back({spi.get_text(r, 0).value(), spi.get_text(r, 1).value(),
                    spi.get_text(r, 2).value(), spi.get_oid(r, 3).value_or(InvalidOid)});
  }
  int pruned = 0;
  pg::ExtensionOwner owner(spi);
  for (const Gone& g : gone) {
    bool allowed = OidIsValid(g.relid) ? pg::owns_table(g.relid) : may_prune_orphans;
    if (!allowed) continue;
    forget_record(spi, owner, g.schema, g.table, g.name);
    ++pruned;
  }
  PG_RETURN_INT32(pruned);
}
