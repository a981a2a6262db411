#include "triggers/catalog.hpp"

#include "pg/roles.hpp"
#include "triggers/trigger_def.hpp"

namespace pgdb::triggers {

namespace {

// Whether trigger c is the TRUNCATE companion of the trigger named by the text expression name
// on its table: the history executor with ('...', 'companion', name) as its last arguments (the
// same test as _installed_definition's).
std::string companion_of(const std::string& name) {
  return "(c.tgfoid = 'pgdb_tools._trigger_history()'::pg_catalog.regprocedure AND c.tgnargs = 5 "
         "AND pg_catalog.position(c.tgargs, "
         "'\\x00636f6d70616e696f6e00'::pg_catalog.bytea OPERATOR(pg_catalog.||) "
         "pg_catalog.convert_to(" +
         name +
         ", pg_catalog.getdatabaseencoding()) OPERATOR(pg_catalog.||) "
         "'\\x00'::pg_catalog.bytea) > 0)";
}

}  // namespace

Installed installed_state(pg::Spi& spi, Oid relid, const pg::TableName& table,
                          const std::string& name, const std::string& spec) {
  spi.execute(
      "SELECT t.oid IS NOT NULL, pgdb_tools._installed_definition(t.oid), "
      "       m.trigger_name IS NOT NULL, "
      "       m.spec = $5::jsonb, m.installed_definition, t.tgenabled IS DISTINCT FROM 'D', "
      "       m.enabled, m.installed_ddl, "
      "       EXISTS (SELECT FROM pg_catalog.pg_trigger c WHERE c.tgrelid = $1 AND c.tgname = $6 "
      "               AND " +
          companion_of("$4") +
          "), "
          "       EXISTS (SELECT FROM pg_catalog.pg_trigger c WHERE c.tgrelid = $1 AND c.tgname = "
          "$6 "
          "               AND NOT " +
          companion_of("$4") +
          ") "
          "FROM (SELECT 1) AS one "
          "LEFT JOIN pg_catalog.pg_trigger t ON t.tgrelid = $1 AND t.tgname = $4 AND NOT "
          "t.tgisinternal "
          "LEFT JOIN pgdb_tools.managed_triggers m "
          "       ON m.table_schema = $2 AND m.table_name = $3 AND m.trigger_name = $4",
      {pg::Param::oid(relid), pg::Param::text(table.schema), pg::Param::text(table.name),
       pg::Param::text(name), pg::Param::text(spec),
       pg::Param::text(companion_trigger_name(name))});
  Installed state;
  state.exists = spi.get_bool(0, 0).value_or(false);
  state.definition = spi.get_text(0, 1).value_or("");
  state.managed = spi.get_bool(0, 2).value_or(false);
  state.same_spec = spi.get_bool(0, 3).value_or(false);
  state.recorded_definition = spi.get_text(0, 4).value_or("");
  state.enabled = spi.get_bool(0, 5).value_or(true);
  state.recorded_enabled = spi.get_bool(0, 6).value_or(true);
  state.recorded_ddl = spi.get_text(0, 7).value_or("");
  state.has_companion = spi.get_bool(0, 8).value_or(false);
  state.companion_taken = spi.get_bool(0, 9).value_or(false);
  return state;
}

std::optional<std::string> trigger_definition(pg::Spi& spi, Oid relid, const std::string& name) {
  // Not read-only: it must see the DDL this call ran.
  spi.execute(
      "SELECT pgdb_tools._installed_definition(oid) FROM pg_catalog.pg_trigger "
      "WHERE tgrelid = $1 AND tgname = $2",
      {pg::Param::oid(relid), pg::Param::text(name)});
  if (spi.row_count() == 0) return std::nullopt;
  return spi.get_text(0, 0);
}

void forget_record(pg::Spi& spi, const pg::ExtensionOwner& owner, const std::string& schema,
                   const std::string& table, const std::string& name) {
  pg::ActingAs as_owner = owner.acting();
  spi.execute(
      "DELETE FROM pgdb_tools.managed_triggers "
      "WHERE table_schema = $1 AND table_name = $2 AND trigger_name = $3",
      {pg::Param::text(schema), pg::Param::text(table), pg::Param::text(name)});
}

}  // namespace pgdb::triggers
