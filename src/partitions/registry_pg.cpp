#include "partitions/registry_pg.hpp"

#include "core/error.hpp"
#include "partitions/pass.hpp"
#include "partitions/settings.hpp"
#include "partitions/values_pg.hpp"
#include "pg/catalog.hpp"
#include "pg/guard.hpp"
#include "pg/quote.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"
#include "pg/subtransaction.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
}

namespace pgdb::partitions {

namespace {

pg::Param optional_text(const std::optional<std::string>& value) {
  return value ? pg::Param::text(*value) : pg::Param::null(TEXTOID);
}

}  // namespace

std::vector<RegisteredSet> load_sets(pg::Spi& spi, Oid only) {
  spi.execute(
      "SELECT c.oid::int8, s.parent_schema::text, s.parent_name::text, s.control::text, "
      "       s.partition_interval, s.premake, s.start_at, s.retention, s.retention_mode, "
      "       s.archive_schema::text, s.default_partition, s.time_zone, c.relowner::int8, "
      "       s.owner_name::text, s.retention_limit, COALESCE(s.template_table::oid, 0)::int8 "
      "FROM pgdb_tools.partition_sets s "
      "JOIN pg_catalog.pg_namespace n ON n.nspname = s.parent_schema "
      "JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = s.parent_name "
      "WHERE $1 = 0 OR c.oid = $1 ORDER BY 2, 3",
      {pg::Param::oid(only)});
  std::vector<RegisteredSet> sets;
  for (std::uint64_t r = 0; r < spi.row_count(); ++r) {
    RegisteredSet set;
    set.parent = spi.get_oid(r, 0).value();
    Settings& s = set.settings;
    s.schema = spi.get_text(r, 1).value();
    s.name = spi.get_text(r, 2).value();
    s.control = spi.get_text(r, 3).value();
    s.interval_text = spi.get_text(r, 4).value();
    s.premake = static_cast<int>(spi.get_int64(r, 5).value());
    s.start_at = spi.get_text(r, 6).value();
    s.retention = spi.get_text(r, 7);
    s.retention_mode = spi.get_text(r, 8).value();
    s.archive_schema = spi.get_text(r, 9);
    s.default_partition = spi.get_bool(r, 10).value();
    s.time_zone = spi.get_text(r, 11).value();
    set.owner = spi.get_oid(r, 12).value();
    s.owner_name = spi.get_text(r, 13).value();
    s.retention_limit = static_cast<int>(spi.get_int64(r, 14).value());
    s.template_table = static_cast<std::uint32_t>(spi.get_int64(r, 15).value());
    sets.push_back(std::move(set));
  }
  return sets;
}

RegisteredSet require_set(pg::Spi& spi, Oid parent) {
  std::vector<RegisteredSet> sets = load_sets(spi, parent);
  if (sets.empty())
    throw Error(sqlstate::object_not_in_prerequisite_state,
                "table " + pg::table_name(parent).quoted() + " is not a partition set", {},
                "Register it with pgdb_tools.create_partitioned().");
  return sets.front();
}

namespace {

// The local time now in the set's zone; 22023 when time_zone names none.
Key local_now(pg::Spi& spi, const std::string& time_zone) {
  Key now = 0;
  if (auto failure = pg::try_in_subtransaction([&] {
        spi.execute("SELECT (pg_catalog.now() AT TIME ZONE $1)::timestamp",
                    {pg::Param::text(time_zone)}, true);
        bool is_null = false;
        now = DatumGetTimestamp(spi.value(0, 0, is_null));
      }))
    throw Error(sqlstate::invalid_parameter_value,
                "time_zone \"" + time_zone + "\" is not a time zone", failure->message);
  return now;
}

void validate_retention(const Settings& s, ControlType type, Key now) {
  if (is_time(type)) {
    Period retention = parse_interval(*s.retention, "retention");
    if (retention.months < 0 || retention.days < 0 || retention.micros < 0 ||
        (retention.months == 0 && retention.days == 0 && retention.micros == 0))
      throw Error(sqlstate::invalid_parameter_value,
                  "retention must be a positive interval, not \"" + *s.retention + "\"");
    if (!shift(now, retention, -1)) throw retention_overflow(*s.retention);
  } else {
    check_integer_setting("retention", pg::quote_identifier(s.control),
                          parse_width(*s.retention, "retention"), 1, type_max(type));
  }
}

void validate_archive_schema(pg::Spi& spi, const std::string& schema) {
  spi.execute(
      "SELECT pg_catalog.has_schema_privilege(oid, 'CREATE'), oid::pg_catalog.int8 "
      "FROM pg_catalog.pg_namespace WHERE nspname = $1",
      {pg::Param::text(schema)}, true);
  if (spi.row_count() == 0)
    throw Error("3F000", "archive_schema \"" + schema + "\" does not exist");
  bool may_create = spi.get_bool(0, 0).value();
  Oid nsp = spi.get_oid(0, 1).value();
  // Archived partitions are the set's data: never filed among PostgreSQL's catalogs or the
  // extension's own objects (dropped with it, or read as its catalog).
  if (pg::is_system_schema(nsp) || pg::is_extension_schema(spi, nsp))
    throw Error(sqlstate::invalid_parameter_value,
                "archive_schema \"" + schema +
                    "\" is a system schema or belongs to the pgdb_tools extension",
                {}, "Archive into a schema of your own, e.g. CREATE SCHEMA archive.");
  if (!may_create)
    throw Error(sqlstate::insufficient_privilege,
                "permission denied to create in archive_schema \"" + schema + "\"");
}

// Sub-daily periods in a zone with daylight saving time would need partitions for local times
// that do not exist (the spring-forward hour): refused rather than half supported.
void validate_sub_daily_zone(pg::Spi& spi, const Settings& s, const Period& period) {
  if (period.months != 0 || (period.micros == 0 && period.days != 0)) return;
  spi.execute(
      "SELECT (TIMESTAMP '2026-01-15' AT TIME ZONE $1) - (TIMESTAMP '2026-07-15' AT TIME ZONE "
      "$1) "
      "       <> interval '-181 days'",
      {pg::Param::text(s.time_zone)}, true);
  if (spi.get_bool(0, 0).value())
    throw Error(sqlstate::invalid_parameter_value,
                "partition_interval \"" + s.interval_text + "\" is shorter than a day, and " +
                    s.time_zone + " has daylight saving time",
                {},
                "Use a time zone without daylight saving time (such as UTC) for sub-daily sets.");
}

// 42809 unless template_table names a plain table other than the parent.
void validate_template(const Settings& s) {
  char kind = pg::relkind(s.template_table);
  pg::TableName parent{s.schema, s.name};
  if (kind != RELKIND_RELATION || pg::table_name(s.template_table).quoted() == parent.quoted())
    throw Error(sqlstate::wrong_object_type,
                "template_table must be a plain table, not " +
                    (kind ? pg::table_name(s.template_table).quoted()
                          : "OID " + std::to_string(s.template_table)),
                {},
                "New partitions of " + parent.quoted() +
                    " copy its storage parameters, tablespace and replica identity.");
}

}  // namespace

void validate_settings(pg::Spi& spi, const Settings& s, ControlType type) {
  check_modes(s);
  Width interval = parse_width_of(type, s.interval_text, "partition_interval");
  make_steps(s, type, interval);
  Key now = local_now(spi, s.time_zone);
  if (s.retention) validate_retention(s, type, now);
  if (s.archive_schema) validate_archive_schema(spi, *s.archive_schema);
  if (type == ControlType::timestamptz) validate_sub_daily_zone(spi, s, interval.period);
  if (s.template_table) validate_template(s);
}

void register_set(pg::Spi& spi, Oid parent, const Settings& s,
                  const std::optional<std::string>& start_at_given) {
  pg::TableName table{s.schema, s.name};
  spi.execute(
      "SELECT control::text = $3 AND partition_interval = $4 AND premake = $5 AND "
      "       retention IS NOT DISTINCT FROM $6 AND retention_mode = $7 AND "
      "       archive_schema::text IS NOT DISTINCT FROM $8 AND default_partition = $9 AND "
      "       time_zone = $10 AND ($11::text IS NULL OR start_at = $11) AND "
      "       retention_limit = $12 AND COALESCE(template_table::oid, 0) = $13 "
      "FROM pgdb_tools.partition_sets WHERE parent_schema = $1 AND parent_name = $2",
      {pg::Param::text(s.schema), pg::Param::text(s.name), pg::Param::text(s.control),
       pg::Param::text(s.interval_text), pg::Param::int4(s.premake), optional_text(s.retention),
       pg::Param::text(s.retention_mode), optional_text(s.archive_schema),
       pg::Param::boolean(s.default_partition), pg::Param::text(s.time_zone),
       optional_text(start_at_given), pg::Param::int4(s.retention_limit),
       pg::Param::oid(s.template_table)});
  if (spi.row_count() == 1 && !spi.get_bool(0, 0).value())
    throw Error(
        sqlstate::object_not_in_prerequisite_state,
        "table " + table.quoted() + " is already a partition set with other settings", {},
        "Change it with pgdb_tools.update_partitioned(), or forget_partitioned() it first.");
  if (spi.row_count() == 1) return;
  pg::AsExtensionOwner as_owner(spi);
  std::uint64_t inserted = spi.execute(
      "INSERT INTO pgdb_tools.partition_sets (parent_schema, parent_name, control, "
      "  partition_interval, premake, start_at, retention, retention_mode, archive_schema, "
      "  default_partition, time_zone, owner_name, retention_limit, template_table) VALUES ($1, "
      "  $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, (SELECT r.rolname FROM pg_catalog.pg_class c "
      "  JOIN pg_catalog.pg_roles r ON r.oid = c.relowner WHERE c.oid = $12), $13, "
      "  NULLIF($14, 0)::pg_catalog.regclass) "
      "ON CONFLICT DO NOTHING",
      {pg::Param::text(s.schema), pg::Param::text(s.name), pg::Param::text(s.control),
       pg::Param::text(s.interval_text), pg::Param::int4(s.premake), pg::Param::text(s.start_at),
       optional_text(s.retention), pg::Param::text(s.retention_mode),
       optional_text(s.archive_schema), pg::Param::boolean(s.default_partition),
       pg::Param::text(s.time_zone), pg::Param::oid(parent), pg::Param::int4(s.retention_limit),
       pg::Param::oid(s.template_table)});
  // Only when this transaction's snapshot predates another session's registration (REPEATABLE
  // READ): the set's lock serialises the rest.
  if (inserted == 0)
    throw Error(sqlstate::duplicate_object,
                "table " + table.quoted() + " was registered by another session meanwhile", {},
                "Call create_partitioned() again in a new transaction.");
}

bool update_settings(pg::Spi& spi, const Settings& before, const Settings& after) {
  bool changed = after.premake != before.premake || after.retention != before.retention ||
                 after.retention_mode != before.retention_mode ||
                 after.archive_schema != before.archive_schema ||
                 after.retention_limit != before.retention_limit ||
                 after.template_table != before.template_table;
  if (!changed) return false;
  pg::AsExtensionOwner as_owner(spi);
  spi.execute(
      "UPDATE pgdb_tools.partition_sets SET premake = $3, retention = $4, retention_mode = $5, "
      "archive_schema = $6, retention_limit = $7, template_table = NULLIF($8, "
      "0)::pg_catalog.regclass "
      "WHERE parent_schema = $1 AND parent_name = $2",
      {pg::Param::text(after.schema), pg::Param::text(after.name), pg::Param::int4(after.premake),
       optional_text(after.retention), pg::Param::text(after.retention_mode),
       optional_text(after.archive_schema), pg::Param::int4(after.retention_limit),
       pg::Param::oid(after.template_table)});
  return true;
}

bool forget_set(pg::Spi& spi, const std::string& schema, const std::string& name) {
  pg::AsExtensionOwner as_owner(spi);
  return spi.execute(
             "DELETE FROM pgdb_tools.partition_sets WHERE parent_schema = $1 AND parent_name = $2",
             {pg::Param::text(schema), pg::Param::text(name)}) > 0;
}

void record_run(pg::Spi& spi, const Settings& s, Datum started, int actions,
                const std::optional<std::string>& error) {
  pg::AsExtensionOwner as_owner(spi);
  spi.execute_kept(
      "INSERT INTO pgdb_tools.partition_runs "
      "  (parent_schema, parent_name, started_at, finished_at, actions, error) "
      "VALUES ($1, $2, $3, pg_catalog.clock_timestamp(), $4, $5)",
      {pg::Param::text(s.schema), pg::Param::text(s.name),
       pg::Param{TIMESTAMPTZOID, started, false}, pg::Param::int4(actions), optional_text(error)});
}

Datum clock_now() {
  return pg::call([] { return DirectFunctionCall1(clock_timestamp, Datum(0)); });
}

}  // namespace pgdb::partitions
