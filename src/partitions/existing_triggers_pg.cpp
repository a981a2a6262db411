#include "partitions/existing_triggers_pg.hpp"

#include "pg/quote.hpp"
#include "pg/spi.hpp"

namespace pgdb::partitions {

std::vector<std::string> unmanaged_triggers(pg::Spi& spi, Oid rel) {
  spi.execute(
      "SELECT pg_catalog.quote_ident(tg.tgname) FROM pg_catalog.pg_trigger tg "
      "JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) tg.tgrelid "
      "JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace "
      "WHERE tg.tgrelid OPERATOR(pg_catalog.=) $1 AND NOT tg.tgisinternal AND NOT EXISTS ("
      "SELECT FROM pgdb_tools.managed_triggers m WHERE m.table_schema OPERATOR(pg_catalog.=) "
      "n.nspname AND m.table_name OPERATOR(pg_catalog.=) c.relname "
      "AND m.trigger_name OPERATOR(pg_catalog.=) tg.tgname) ORDER BY 1",
      {pg::Param::oid(rel)}, true);
  std::vector<std::string> names;
  for (std::uint64_t r = 0; r < spi.row_count(); ++r) names.push_back(spi.get_text(r, 0).value());
  return names;
}

ManagedTriggers read_managed_triggers(pg::Spi& spi, const pg::TableName& table) {
  spi.execute(
      "SELECT pg_catalog.quote_ident(m.trigger_name::text), m.spec::text "
      "FROM pgdb_tools.managed_triggers m "
      "WHERE m.table_schema OPERATOR(pg_catalog.=) $1 AND m.table_name OPERATOR(pg_catalog.=) $2 "
      "ORDER BY m.trigger_name",
      {pg::Param::text(table.schema), pg::Param::text(table.name)}, true);
  ManagedTriggers managed;
  std::string specs;
  for (std::uint64_t r = 0; r < spi.row_count(); ++r) {
    managed.names.push_back(spi.get_text(r, 0).value());
    specs += (specs.empty() ? "" : ", ") + spi.get_text(r, 1).value();
  }
  if (!managed.names.empty()) managed.specs = "[" + specs + "]";
  return managed;
}

std::string drop_managed_sql(const ManagedTriggers& managed, const pg::TableName& table) {
  if (managed.names.empty()) return {};
  return "SELECT pg_catalog.count(*) FROM pgdb_tools.apply_triggers('[]', prune => true, "
         "tables => ARRAY[" +
         pg::quote_literal(table.quoted()) + "]::pg_catalog.regclass[])";
}

std::string apply_managed_sql(const ManagedTriggers& managed) {
  if (managed.names.empty()) return {};
  return "SELECT pg_catalog.count(*) FROM pgdb_tools.apply_triggers(" +
         pg::quote_literal(managed.specs) + "::pg_catalog.jsonb)";
}

std::vector<std::string> dry_run_listing(std::vector<std::string> statements,
                                         const ManagedTriggers& managed, const pg::TableName& table,
                                         const Settings& s) {
  if (std::string drop = drop_managed_sql(managed, table); !drop.empty())
    statements.insert(statements.begin(), drop);
  statements.push_back("-- then registered as create_partitioned(" + table.quoted() +
                       ", control => " + pg::quote_literal(s.control) + ", partition_interval => " +
                       pg::quote_literal(s.interval_text) + ", start_at => " +
                       pg::quote_literal(s.start_at) + ", ...)");
  if (std::string apply = apply_managed_sql(managed); !apply.empty()) statements.push_back(apply);
  return statements;
}

}  // namespace pgdb::partitions
