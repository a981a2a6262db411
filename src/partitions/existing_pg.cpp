// partition_existing (and _partition_existing_check, for partition_existing_proc): reads the
// table (ExistingTable), refuses before any change what cannot be converted, runs the plan of
// existing.cpp as the table's owner and registers the set. One transaction: nothing is left half
// changed by a failure.
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/naming.hpp"
#include "partitions/existing.hpp"
#include "partitions/existing_triggers_pg.hpp"
#include "partitions/gather_pg.hpp"
#include "partitions/maintain_pg.hpp"
#include "partitions/registry_pg.hpp"
#include "partitions/values_pg.hpp"
#include "pg/catalog.hpp"
#include "pg/datum.hpp"
#include "pg/guard.hpp"
#include "pg/quote.hpp"
#include "pg/relation.hpp"
#include "pg/roles.hpp"
#include "pg/snapshot.hpp"
#include "pg/spi.hpp"
#include "pg/srf.hpp"

extern "C" {
#include "utils/builtins.h"
}

using namespace pgdb;
using namespace pgdb::partitions;

namespace {

std::vector<std::string> text_column(pg::Spi& spi, int column) {
  std::vector<std::string> values;
  for (std::uint64_t r = 0; r < spi.row_count(); ++r)
    values.push_back(spi.get_text(r, column).value());
  return values;
}

// The table's own row of pg_class, the control column's type and the identity columns.
void read_relation(pg::Spi& spi, const pg::Param& rel_param, ExistingTable& t) {
  spi.execute(
      "SELECT c.relkind::text, c.relpersistence::text, c.relispartition, "
      "  EXISTS (SELECT FROM pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid OR i.inhparent = "
      "c.oid), c.reloftype <> 0, "
      "  EXISTS (SELECT FROM pg_catalog.pg_depend d WHERE d.classid = "
      "'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid AND d.deptype = 'e'), "
      "  c.relrowsecurity, c.relforcerowsecurity, "
      "  pg_catalog.obj_description(c.oid, 'pg_class') "
      "FROM pg_catalog.pg_class c WHERE c.oid = $1",
      {rel_param}, true);
  t.relkind = spi.get_text(0, 0).value().at(0);
  t.persistence = spi.get_text(0, 1).value().at(0);
  t.is_partition = spi.get_bool(0, 2).value();
  t.inheritance = spi.get_bool(0, 3).value();
  t.typed = spi.get_bool(0, 4).value();
  t.extension_member = spi.get_bool(0, 5).value();
  t.row_security = spi.get_bool(0, 6).value();
  t.force_row_security = spi.get_bool(0, 7).value();
  t.comment = spi.get_text(0, 8);

  spi.execute(
      "SELECT a.atttypid::int8 FROM pg_catalog.pg_attribute a "
      "WHERE a.attrelid = $1 AND a.attname = $2 AND a.attnum > 0 AND NOT a.attisdropped",
      {rel_param, pg::Param::text(t.control)}, true);
  t.control_exists = spi.row_count() == 1;
  if (t.control_exists) t.type = control_type_of(spi.get_oid(0, 0).value());

  spi.execute(
      "SELECT pg_catalog.quote_ident(a.attname) FROM pg_catalog.pg_attribute a "
      "WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped AND a.attidentity <> '' "
      "ORDER BY a.attnum",
      {rel_param}, true);
  t.identity_columns = text_column(spi, 0);
}

// Indexes and constraints on it, foreign keys from it and to it.
void read_keys(pg::Spi& spi, const pg::Param& rel_param, ExistingTable& t) {
  spi.execute(
      "SELECT ic.relname::text, COALESCE(con.contype::text, ''), "
      "  CASE WHEN con.oid IS NULL THEN pg_catalog.pg_get_indexdef(i.indexrelid) "
      "       ELSE pg_catalog.pg_get_constraintdef(con.oid) END, "
      "  i.indisunique OR con.contype = 'x', "
      "  (SELECT a.attnum FROM pg_catalog.pg_attribute a WHERE a.attrelid = i.indrelid AND "
      "     a.attname = $2) = ANY ((i.indkey::pg_catalog.int2[])[0:i.indnkeyatts - 1]) "
      "FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid "
      "LEFT JOIN pg_catalog.pg_constraint con ON con.conindid = i.indexrelid AND "
      "  con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x') "
      "WHERE i.indrelid = $1 ORDER BY ic.relname",
      {rel_param, pg::Param::text(t.control)}, true);
  for (std::uint64_t r = 0; r < spi.row_count(); ++r) {
    std::string type = spi.get_text(r, 1).value();
    t.indexes.push_back({spi.get_text(r, 0).value(), type.empty() ? '\0' : type[0],
                         spi.get_text(r, 2).value(), spi.get_bool(r, 3).value_or(false),
                         spi.get_bool(r, 4).value_or(false)});
  }

  spi.execute(
      "SELECT conname::text, pg_catalog.pg_get_constraintdef(oid) FROM pg_catalog.pg_constraint "
      "WHERE conrelid = $1 AND contype = 'f' ORDER BY conname",
      {rel_param}, true);
  for (std::uint64_t r = 0; r < spi.row_count(); ++r)
    t.foreign_keys.push_back({spi.get_text(r, 0).value(), spi.get_text(r, 1).value()});

  spi.execute(
      "SELECT conrelid::pg_catalog.regclass::text || ' (' || pg_catalog.quote_ident(conname) || "
      "')' FROM pg_catalog.pg_constraint WHERE confrelid = $1 AND contype = 'f' ORDER BY 1",
      {rel_param}, true);
  t.referenced_by = text_column(spi, 0);
}

// What depends on it or is attached to it: views, publications, triggers, rules, owned
// sequences.
void read_dependents(pg::Spi& spi, const pg::Param& rel_param, ExistingTable& t) {
  spi.execute(
      "SELECT DISTINCT r.ev_class::pg_catalog.regclass::text FROM pg_catalog.pg_depend d "
      "JOIN pg_catalog.pg_rewrite r ON r.oid = d.objid "
      "WHERE d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND d.refobjid = $1 "
      "AND r.ev_class <> $1 ORDER BY 1",
      {rel_param}, true);
  t.views = text_column(spi, 0);

  spi.execute(
      "SELECT pg_catalog.quote_ident(p.pubname) FROM pg_catalog.pg_publication_rel pr "
      "JOIN pg_catalog.pg_publication p ON p.oid = pr.prpubid WHERE pr.prrelid = $1 ORDER BY 1",
      {rel_param}, true);
  t.publications = text_column(spi, 0);

  t.triggers = unmanaged_triggers(spi, DatumGetObjectId(rel_param.value));

  spi.execute(
      "SELECT pg_catalog.quote_ident(rulename) FROM pg_catalog.pg_rewrite WHERE ev_class = $1 "
      "ORDER BY 1",
      {rel_param}, true);
  t.rules = text_column(spi, 0);

  spi.execute(
      "SELECT n.nspname::text, s.relname::text, a.attname::text FROM pg_catalog.pg_depend d "
      "JOIN pg_catalog.pg_class s ON s.oid = d.objid AND s.relkind = 'S' "
      "JOIN pg_catalog.pg_namespace n ON n.oid = s.relnamespace "
      "JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid "
      "WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid = $1 "
      "AND d.deptype = 'a' ORDER BY 2",
      {rel_param}, true);
  for (std::uint64_t r = 0; r < spi.row_count(); ++r)
    t.sequences.push_back(
        {spi.get_text(r, 0).value(), spi.get_text(r, 1).value(), spi.get_text(r, 2).value()});
}

// Its row-level security policies, with their roles by name.
void read_policies(pg::Spi& spi, const pg::Param& rel_param, ExistingTable& t) {
  spi.execute(
      "SELECT p.polname::text, p.polpermissive, "
      "  CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' "
      "                WHEN 'd' THEN 'DELETE' ELSE 'ALL' END, "
      "  pg_catalog.pg_get_expr(p.polqual, p.polrelid), "
      "  pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) "
      "FROM pg_catalog.pg_policy p WHERE p.polrelid = $1 ORDER BY 1",
      {rel_param}, true);
  for (std::uint64_t r = 0; r < spi.row_count(); ++r)
    t.policies.push_back({spi.get_text(r, 0).value(),
                          spi.get_bool(r, 1).value(),
                          spi.get_text(r, 2).value(),
                          {},
                          spi.get_text(r, 3),
                          spi.get_text(r, 4)});
  // the policies' roles, one query per policy (few), as names
  for (ExistingPolicy& policy : t.policies) {
    spi.execute(
        "SELECT CASE WHEN u.r = 0 THEN NULL ELSE (SELECT rolname::text FROM pg_catalog.pg_roles "
        "WHERE oid = u.r) END FROM pg_catalog.pg_policy p, "
        "pg_catalog.unnest(p.polroles) WITH ORDINALITY u(r, o) "
        "WHERE p.polrelid = $1 AND p.polname = $2 ORDER BY u.o",
        {rel_param, pg::Param::text(policy.name)}, true);
    for (std::uint64_t r = 0; r < spi.row_count(); ++r) policy.roles.push_back(spi.get_text(r, 0));
  }
}

// The privileges granted on it to roles other than its owner.
void read_grants(pg::Spi& spi, const pg::Param& rel_param, ExistingTable& t) {
  spi.execute(
      "SELECT a.privilege_type, r.rolname::text, a.grantee = 0, a.is_grantable "
      "FROM pg_catalog.pg_class c CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) a "
      "LEFT JOIN pg_catalog.pg_roles r ON r.oid = a.grantee "
      "WHERE c.oid = $1 AND a.grantee <> c.relowner",
      {rel_param}, true);
  for (std::uint64_t r = 0; r < spi.row_count(); ++r) {
    bool to_public = spi.get_bool(r, 2).value();
    t.grants.push_back({spi.get_text(r, 0).value(),
                        to_public ? std::nullopt : std::optional(spi.get_text(r, 1).value()),
                        spi.get_bool(r, 3).value()});
  }
}

// Everything about the table existing_refusal and plan_existing need, except the control
// column's values (read_values, once the column is known to be usable).
ExistingTable read_table(pg::Spi& spi, Oid rel, const pg::TableName& name,
                         const std::string& control) {
  ExistingTable t;
  t.schema = name.schema;
  t.name = name.name;
  t.control = control;
  pg::Param rel_param = pg::Param::oid(rel);
  read_relation(spi, rel_param, t);
  read_keys(spi, rel_param, t);
  read_dependents(spi, rel_param, t);
  read_policies(spi, rel_param, t);
  read_grants(spi, rel_param, t);
  return t;
}

// The control column's range and whether it holds NULLs (a scan unless it is indexed).
void read_values(pg::Spi& spi, ExistingTable& t, ControlType type, const std::string& time_zone) {
  std::string column = pg::quote_identifier(t.control);
  std::string table = pg::TableName{t.schema, t.name}.quoted();
  spi.execute("SELECT pg_catalog.min(" + column + "), pg_catalog.max(" + column +
                  "), EXISTS (SELECT FROM " + table + " WHERE " + column + " IS NULL) FROM " +
                  table,
              {}, true);
  t.has_nulls = spi.get_bool(0, 2).value();
  bool is_null = false;
  Datum min = spi.value(0, 0, is_null);
  if (is_null) return;
  t.min = key_of(min, type, time_zone);
  t.max = key_of(spi.value(0, 1, is_null), type, time_zone);
  if (*t.min == key_min || *t.max == key_max)
    throw Error(datetime_field_overflow,
                "column " + column + " of table " + table + " holds an infinite value", {},
                "No finite partition takes it: change those rows first.");
}

// A bound as a constant of the control column's type, for the CHECK constraint.
std::string check_bound(pg::Spi& spi, Key key, ControlType type, const std::string& time_zone) {
  if (type != ControlType::timestamptz) return bound_sql(key, type, time_zone);
  spi.execute("SELECT pg_catalog.to_char((" + bound_sql(key, type, time_zone) +
                  ") AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')",
              {}, true);
  return "TIMESTAMPTZ " + pg::quote_literal(spi.get_text(0, 0).value() + "+00");
}

// A CHECK constraint left by _partition_existing_check (partition_existing_proc's first
// transaction): its range, and whether it is validated.
struct Prepared {
  Range range;
  bool validated;
};

std::optional<Prepared> find_prepared(pg::Spi& spi, Oid rel, const std::string& check_name) {
  spi.execute(
      "SELECT pg_catalog.obj_description(oid, 'pg_constraint'), convalidated "
      "FROM pg_catalog.pg_constraint WHERE conrelid = $1 AND conname = $2 AND contype = 'c'",
      {pg::Param::oid(rel), pg::Param::text(check_name)}, true);
  if (spi.row_count() == 0) return std::nullopt;
  std::optional<std::string> comment = spi.get_text(0, 0);
  std::optional<Range> range = comment ? parse_range_comment(*comment) : std::nullopt;
  if (!range)
    throw Error(sqlstate::object_not_in_prerequisite_state,
                "constraint " + pg::quote_identifier(check_name) +
                    " has the name of pgdb_tools' conversion check, but pgdb_tools did not make it",
                {}, "Drop or rename that constraint first.");
  return Prepared{*range, spi.get_bool(0, 1).value()};
}

struct Arguments {
  Oid rel;
  pg::TableName table;
  Settings settings;
  bool dry_run;
};

std::optional<std::string> optional_text(FunctionCallInfo fcinfo, int n) {
  if (PG_NARGS() <= n || PG_ARGISNULL(n)) return std::nullopt;
  return pg::text_to_string(PG_GETARG_DATUM(n));
}

Arguments arguments(FunctionCallInfo fcinfo) {
  for (int n : {0, 1, 2})
    if (PG_ARGISNULL(n))
      throw Error(sqlstate::invalid_parameter_value, std::string(n == 0   ? "tbl"
                                                                 : n == 1 ? "control"
                                                                          : "partition_interval") +
                                                         " must not be NULL");
  Oid rel = PG_GETARG_OID(0);
  if (!OidIsValid(rel))
    throw Error(sqlstate::invalid_parameter_value, "tbl must name a table, not \"-\"");
  pg::require_table(rel, "tbl");
  pg::require_table_owner(rel, "convert it into a partition set");
  Arguments a{
      rel, pg::table_name(rel), {}, PG_NARGS() > 8 && !PG_ARGISNULL(8) && PG_GETARG_BOOL(8)};
  Settings& s = a.settings;
  s.schema = a.table.schema;
  s.name = a.table.name;
  s.control = pg::text_to_string(PG_GETARG_DATUM(1));
  s.interval_text = pg::text_to_string(PG_GETARG_DATUM(2));
  s.premake = PG_ARGISNULL(3) ? 4 : PG_GETARG_INT32(3);
  s.retention = optional_text(fcinfo, 4);
  s.retention_mode = optional_text(fcinfo, 5).value_or("drop");
  if (!PG_ARGISNULL(6)) s.archive_schema = std::string(NameStr(*PG_GETARG_NAME(6)));
  s.time_zone = optional_text(fcinfo, 7).value_or("UTC");
  return a;
}

// What a call does, as (step, statement) rows: the statements, then the registration.
using Steps_ = std::vector<std::string>;

// The plan's statements this call runs: the NOT VALID check and its comment (prepare_only), or
// what a prepared check leaves to do (validate unless it is validated already) and the swap.
Steps_ statements_to_run(const ExistingPlan& plan, const std::optional<Prepared>& prepared,
                         bool prepare_only, const std::string& check_name,
                         const pg::TableName& table, const Range& range) {
  Steps_ statements;
  if (prepare_only) {
    statements.push_back(plan.prepare.at(0));
    statements.push_back("COMMENT ON CONSTRAINT " + pg::quote_identifier(check_name) + " ON " +
                         table.quoted() + " IS " + pg::quote_literal(range_comment(range)));
    return statements;
  }
  if (!prepared) statements.push_back(plan.prepare.at(0));
  if (!prepared || !prepared->validated) statements.push_back(plan.prepare.at(1));
  statements.insert(statements.end(), plan.swap.begin(), plan.swap.end());
  return statements;
}

// The conversion in the caller's transaction (prepare_only: the NOT VALID check alone, with a
// margin of one period, for partition_existing_proc). Returns the statements (run unless dry_run).
Steps_ convert(pg::Spi& spi, const Arguments& a, bool prepare_only) {
  Settings s = a.settings;
  // Serialises with maintenance and registration of the same table.
  lock_set(spi, a.rel);
  Oid owner = pg::relation_owner(a.rel);
  std::optional<std::string> owner_name = pg::find_role_name(owner);
  s.owner_name = owner_name.value_or("");
  Quoting quoting = server_quoting();
  ExistingTable t = read_table(spi, a.rel, a.table, s.control);
  if (t.relkind == 'p') {
    // Called again after a conversion (a migration run twice): the same settings are a no-op.
    std::vector<RegisteredSet> sets = load_sets(spi, a.rel);
    if (!sets.empty()) {
      register_set(spi, a.rel, s, std::nullopt);  // 55000 for other settings
      if (!prepare_only)
        pg::notice("table " + a.table.quoted() + " is a partition set already: nothing to do");
      return {};
    }
  }
  if (std::optional<Error> refusal = existing_refusal(t, quoting)) throw *refusal;
  ControlType type = *t.type;
  validate_settings(spi, s, type);
  Width interval = parse_width_of(type, s.interval_text, "partition_interval");
  std::unique_ptr<Steps> steps = make_steps(s, type, interval);
  // Writers wait from here to the end of the transaction; readers go on until the swap.
  if (!a.dry_run)
    spi.execute("LOCK TABLE " + a.table.quoted() + " IN SHARE ROW EXCLUSIVE MODE", {}, false);
  // Reads and changes run as the table's owner in a restricted context (as maintenance does); the
  // registry is written as the extension's owner afterwards.
  std::optional<pg::ActingAs> as_table_owner;
  as_table_owner.emplace(owner);
  std::string check_name = bounded_identifier(t.name + "_pgdb_existing");
  std::optional<Prepared> prepared = find_prepared(spi, a.rel, check_name);
  // A validated range check proves what the scan would: no NULL, every row inside its range.
  if (!prepared || !prepared->validated) {
    read_values(spi, t, type, s.time_zone);
    if (t.has_nulls) throw existing_refusal(t, quoting).value();
  }
  Key now = is_time(type) ? now_for(spi, s, type, 0) : t.max.value_or(0);
  Range range = prepared ? prepared->range : existing_range(t, *steps, now, prepare_only ? 1 : 0);
  PlanLookups lookups = lookups_for(a.rel);
  ExistingPlan plan = plan_existing(t, type, s.time_zone, *steps, range, quoting,
                                    {lookups.name_taken, [&spi, type, &s](Key key) {
                                       return check_bound(spi, key, type, s.time_zone);
                                     }});
  if (prepare_only && prepared) return {};
  Steps_ statements = statements_to_run(plan, prepared, prepare_only, check_name, a.table, range);
  s.start_at = is_time(type) ? local_text(range.upper, false) : std::to_string(range.upper);
  ManagedTriggers managed;
  if (!prepare_only) managed = read_managed_triggers(spi, a.table);
  if (a.dry_run)
    return prepare_only ? statements : dry_run_listing(statements, managed, a.table, s);
  // pgdb_tools' triggers come off the table before the swap, by the caller (whose rights count)
  std::string drop = drop_managed_sql(managed, a.table);
  if (!drop.empty()) {
    as_table_owner.reset();
    spi.execute(drop, {}, false);
    as_table_owner.emplace(owner);
  }
  for (const std::string& sql : statements) {
    pg::check_for_interrupts();
    spi.execute(sql, {}, false);
  }
  if (!drop.empty()) statements.insert(statements.begin(), drop);
  as_table_owner.reset();
  if (prepare_only) return statements;
  // The registration's and the pass's read-only queries must see the new parent.
  pg::StatementSnapshot sees_the_swap;
  Oid parent = pg::relation_in_schema(pg::relation_schema(a.rel), t.name.c_str());
  register_set(spi, parent, s, std::nullopt);
  create_partitions(spi, parent, a.table, false);
  if (std::string apply = apply_managed_sql(managed); !apply.empty()) {
    spi.execute(apply, {}, false);
    statements.push_back(apply);
  }
  pg::notice("table " + a.table.quoted() + " is now partitioned; its rows are in partition " +
             pg::quote_identifier(plan.partition) + ", " +
             shown_range(range.lower, range.upper, type, s.time_zone));
  return statements;
}

// The statements as (step, statement) rows.
void return_statements(FunctionCallInfo fcinfo, bool prepare_only) {
  Arguments a = arguments(fcinfo);
  Steps_ statements;
  {
    pg::SearchPath trusted(pg::trusted_search_path);
    pg::Spi spi;
    statements = convert(spi, a, prepare_only);
  }
  pg::ResultRows result(fcinfo);
  for (std::size_t i = 0; i < statements.size(); ++i)
    result.add({std::to_string(i + 1), statements[i]});
}

}  // namespace

// partition_existing(tbl, control, partition_interval, premake, retention, retention_mode,
//                    archive_schema, time_zone, dry_run) RETURNS TABLE(step integer, statement
//                    text)
PGDB_FUNCTION(pgdb_tools_partition_existing) {
  return_statements(fcinfo, false);
  PG_RETURN_NULL();
}

// _partition_existing_check(tbl, control, partition_interval, premake, retention,
//   retention_mode, archive_schema, time_zone) RETURNS TABLE(step integer, statement text): the
// NOT VALID check of partition_existing_proc's first transaction.
PGDB_FUNCTION(pgdb_tools_partition_existing_check) {
  return_statements(fcinfo, true);
  PG_RETURN_NULL();
}
