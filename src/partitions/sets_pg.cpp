// Partition sets: registering them (create_partitioned, forget_partitioned), reading a set's
// partitions from the catalog, and running the planner's actions through SPI (run_maintenance).
#include <charconv>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "partitions/planner.hpp"
#include "pg/compat.hpp"
#include "pg/datum.hpp"
#include "pg/guard.hpp"
#include "pg/quote.hpp"
#include "pg/relation.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"
#include "pg/srf.hpp"
#include "pg/subtransaction.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "miscadmin.h"
#include "catalog/pg_type.h"
#include "nodes/parsenodes.h"
#include "nodes/readfuncs.h"
#include "nodes/primnodes.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/syscache.h"
#include "utils/acl.h"
#include "utils/lsyscache.h"
#include "utils/builtins.h"
#include "utils/regproc.h"
#include "utils/timestamp.h"
}

namespace pgdb::partitions {

namespace {

// A registered set, as partition_sets holds it, with its parent resolved.
struct SetRow {
  Oid parent;
  Oid owner;               // the parent's owner now
  std::string owner_name;  // the role that owned it when the set was registered
  pg::TableName table;
  std::string control;
  Oid control_type;
  std::string interval_text;
  int premake;
  std::string start_at;
  std::optional<std::string> retention;
  std::string retention_mode;
  std::optional<std::string> archive_schema;
  bool default_partition;
  std::string time_zone;
  int retention_limit = 50;  // percent of the partitions one pass may retire without force
};

bool is_time_type(Oid type) {
  return type == TIMESTAMPTZOID || type == TIMESTAMPOID || type == DATEOID;
}

Period parse_interval(const std::string& text, const char* argument) {
  const char* raw = text.c_str();
  ::Interval* parsed = nullptr;
  if (auto failure = pg::try_in_subtransaction([&] {
        parsed = pg::call([raw] {
          return DatumGetIntervalP(DirectFunctionCall3(
              interval_in, CStringGetDatum(raw), ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1)));
        });
      }))
    throw Error(sqlstate::invalid_parameter_value,
                std::string(argument) + " \"" + text + "\" is not an interval", failure->message,
                "For example '1 day', '1 week', '15 minutes', '1 month', '3 months', '1 year'.");
  return Period{parsed->month, parsed->day, parsed->time};
}

std::int64_t parse_width(const std::string& text, const char* argument) {
  std::int64_t value = 0;
  auto [end, problem] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (problem == std::errc::result_out_of_range && end == text.data() + text.size() &&
      text.front() != '-')
    throw Error(numeric_value_out_of_range,
                std::string(argument) + " \"" + text + "\" is out of range for bigint");
  if (problem != std::errc() || end != text.data() + text.size() || value <= 0)
    throw Error(sqlstate::invalid_parameter_value,
                std::string(argument) +
                    " must be a positive integer for an integer column, not \"" + text + "\"",
                {}, "For example '100000'.");
  return value;
}

std::unique_ptr<Steps> steps_for(const SetRow& set) {
  if (is_time_type(set.control_type)) {
    Period interval = parse_interval(set.interval_text, "partition_interval");
    if (set.control_type == DATEOID && (interval.micros % micros_per_day != 0))
      throw Error(sqlstate::invalid_parameter_value, "partition_interval \"" + set.interval_text +
                                                         "\" is shorter than a day, but " +
                                                         set.control + " is a date column");
    return std::make_unique<TimeSteps>(interval);
  }
  std::int64_t width = parse_width(set.interval_text, "partition_interval");
  if (set.control_type == INT4OID)
    return std::make_unique<IntegerSteps>(width, PG_INT32_MIN, PG_INT32_MAX);
  return std::make_unique<IntegerSteps>(width, PG_INT64_MIN, PG_INT64_MAX - 1);
}

// The highest value an integer set's column holds.
std::int64_t integer_type_max(Oid type) { return type == INT4OID ? PG_INT32_MAX : PG_INT64_MAX; }
std::int64_t integer_type_min(Oid type) { return type == INT4OID ? PG_INT32_MIN : PG_INT64_MIN; }

// Keys from and to the column's values. Time sets use local civil time in the set's time zone.
Key key_of(Datum value, Oid type, const std::string& time_zone) {
  switch (type) {
    case INT4OID:
      return DatumGetInt32(value);
    case INT8OID:
      return DatumGetInt64(value);
    case DATEOID: {
      DateADT date = DatumGetDateADT(value);
      if (DATE_IS_NOBEGIN(date)) return key_min;
      if (DATE_IS_NOEND(date)) return key_max;
      Key key = static_cast<Key>(date) * micros_per_day;  // |date| < 2^31: no overflow
      if (!in_time_range(key))
        throw Error(datetime_field_overflow,
                    "date out of the range pgdb_tools partitions by (4714 BC to 294276 AD)");
      return key;
    }
    case TIMESTAMPOID: {
      Timestamp timestamp = DatumGetTimestamp(value);
      if (TIMESTAMP_IS_NOBEGIN(timestamp)) return key_min;
      if (TIMESTAMP_IS_NOEND(timestamp)) return key_max;
      return timestamp;
    }
    default: {
      if (TIMESTAMP_IS_NOBEGIN(DatumGetTimestampTz(value))) return key_min;
      if (TIMESTAMP_IS_NOEND(DatumGetTimestampTz(value))) return key_max;
      Datum zone = pg::string_to_text(time_zone);
      return DatumGetTimestamp(
          pg::call([zone, value] { return DirectFunctionCall2(timestamptz_zone, zone, value); }));
    }
  }
}

// The SQL for a bound: MINVALUE/MAXVALUE, a number, or a literal in the set's time zone.
std::string bound_sql(Key key, Oid type, const std::string& time_zone) {
  if (key == key_min) return "MINVALUE";
  if (key == key_max) return "MAXVALUE";
  switch (type) {
    case INT4OID:
    case INT8OID:
      return std::to_string(key);
    case DATEOID:
      return "DATE " + pg::quote_literal(local_text(key, true));
    case TIMESTAMPOID:
      return "TIMESTAMP " + pg::quote_literal(local_text(key, false));
    default:
      return "(TIMESTAMP " + pg::quote_literal(local_text(key, false)) + " AT TIME ZONE " +
             pg::quote_literal(time_zone) + ")";
  }
}

// The partition bound stored in pg_class.relpartbound: (is_default, lower, upper) as keys.
struct StoredBound {
  bool is_default;
  Key lower;
  Key upper;
};

// The partition's bound as pg_class.relpartbound stores it; nullptr when it has none.
PartitionBoundSpec* bound_spec(Oid child) {
  char* bound_text = pg::call([child]() -> char* {
    HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(child));
    if (!HeapTupleIsValid(tuple)) return nullptr;
    bool is_null = true;
    Datum bound = SysCacheGetAttr(RELOID, tuple, Anum_pg_class_relpartbound, &is_null);
    char* result = is_null ? nullptr : TextDatumGetCString(bound);
    ReleaseSysCache(tuple);
    return result;
  });
  if (bound_text == nullptr) return nullptr;
  return static_cast<PartitionBoundSpec*>(
      pg::call([bound_text] { return stringToNode(bound_text); }));
}

StoredBound stored_bound(Oid child, Oid type, const std::string& time_zone) {
  PartitionBoundSpec* spec = bound_spec(child);
  if (spec == nullptr)
    throw Error(sqlstate::object_not_in_prerequisite_state,
                "relation " + std::to_string(child) + " has no partition bound");
  if (spec->is_default) return {true, 0, 0};
  auto key_of_datum = [&](List* datums, Key infinite) {
    auto* datum = static_cast<PartitionRangeDatum*>(linitial(datums));
    if (datum->kind == PARTITION_RANGE_DATUM_MINVALUE) return key_min;
    if (datum->kind == PARTITION_RANGE_DATUM_MAXVALUE) return key_max;
    (void)infinite;
    return key_of(reinterpret_cast<Const*>(datum->value)->constvalue, type, time_zone);
  };
  return {false, key_of_datum(spec->lowerdatums, key_min),
          key_of_datum(spec->upperdatums, key_max)};
}

// The parent's partition key: 42809/22023 unless it is PARTITION BY RANGE on exactly the control
// column, of a supported type. Returns the column's type.
Oid require_range_parent(pg::Spi& spi, Oid parent, const pg::TableName& table,
                         const std::string& control) {
  spi.execute(
      "SELECT p.partstrat::text, p.partnatts::int4, a.attname::text, a.atttypid::int8 "
      "FROM pg_catalog.pg_partitioned_table p "
      "LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = "
      "p.partattrs[0] "
      "WHERE p.partrelid = $1",
      {pg::Param::oid(parent)}, true);
  if (spi.row_count() == 0)
    throw Error("42809", "table " + table.quoted() + " is not partitioned", {},
                "Create it with PARTITION BY RANGE (" + pg::quote_identifier(control) +
                    "). A table that already holds data is not converted in place: create the "
                    "partitioned table beside it, register it with create_partitioned(start_at => "
                    "its oldest value), copy the rows in (INSERT ... SELECT) and swap the names.");
  std::string strategy = spi.get_text(0, 0).value();
  std::optional<std::string> key_column = spi.get_text(0, 2);
  if (strategy != "r")
    throw Error(sqlstate::invalid_parameter_value,
                "table " + table.quoted() + " is partitioned by " +
                    (strategy == "l" ? "LIST" : "HASH") + ", not RANGE");
  if (spi.get_int64(0, 1).value() != 1 || !key_column)
    throw Error(sqlstate::invalid_parameter_value,
                "table " + table.quoted() + " must be partitioned by RANGE on one column");
  if (*key_column != control)
    throw Error(sqlstate::undefined_column,
                "table " + table.quoted() + " is partitioned on " +
                    pg::quote_identifier(*key_column) + ", not on " + pg::quote_identifier(control),
                {}, "Pass control => '" + *key_column + "'.");
  Oid type = static_cast<Oid>(spi.get_int64(0, 3).value());
  if (type != TIMESTAMPTZOID && type != TIMESTAMPOID && type != DATEOID && type != INT4OID &&
      type != INT8OID)
    throw Error("42804",
                "column " + pg::quote_identifier(control) + " of table " + table.quoted() +
                    " has a type pgdb_tools cannot partition by",
                {}, "Use timestamptz, timestamp, date, integer or bigint.");
  return type;
}

std::vector<SetRow> load_sets(pg::Spi& spi, Oid only) {
  spi.execute(
      "SELECT c.oid::int8, s.parent_schema::text, s.parent_name::text, s.control::text, "
      "       s.partition_interval, s.premake, s.start_at, s.retention, s.retention_mode, "
      "       s.archive_schema::text, s.default_partition, s.time_zone, c.relowner::int8, "
      "       s.owner_name::text, s.retention_limit "
      "FROM pgdb_tools.partition_sets s "
      "JOIN pg_catalog.pg_namespace n ON n.nspname = s.parent_schema "
      "JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = s.parent_name "
      "WHERE $1 = 0 OR c.oid = $1 ORDER BY 2, 3",
      {pg::Param::oid(only)});
  std::vector<SetRow> sets;
  for (std::uint64_t r = 0; r < spi.row_count(); ++r) {
    SetRow set;
    set.parent = static_cast<Oid>(spi.get_int64(r, 0).value());
    set.table = {spi.get_text(r, 1).value(), spi.get_text(r, 2).value()};
    set.control = spi.get_text(r, 3).value();
    set.interval_text = spi.get_text(r, 4).value();
    set.premake = static_cast<int>(spi.get_int64(r, 5).value());
    set.start_at = spi.get_text(r, 6).value();
    set.retention = spi.get_text(r, 7);
    set.retention_mode = spi.get_text(r, 8).value();
    set.archive_schema = spi.get_text(r, 9);
    set.default_partition = spi.get_bool(r, 10).value();
    set.time_zone = spi.get_text(r, 11).value();
    set.owner = static_cast<Oid>(spi.get_int64(r, 12).value());
    set.owner_name = spi.get_text(r, 13).value();
    set.retention_limit = static_cast<int>(spi.get_int64(r, 14).value());
    sets.push_back(std::move(set));
  }
  return sets;
}

// The set whose parent is `parent`; 55000 when the table is not a registered set.
SetRow require_set(pg::Spi& spi, Oid parent) {
  std::vector<SetRow> sets = load_sets(spi, parent);
  if (sets.empty())
    throw Error(sqlstate::object_not_in_prerequisite_state,
                "table " + pg::table_name(parent).quoted() + " is not a partition set", {},
                "Register it with pgdb_tools.create_partitioned().");
  return sets.front();
}

// A partition of the set as the catalog has it.
struct Child {
  Oid oid;
  std::string name;
  StoredBound bound;
};

std::vector<Child> children(pg::Spi& spi, const SetRow& set) {
  spi.execute(
      "SELECT c.oid::int8, c.relname::text FROM pg_catalog.pg_inherits i "
      "JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1",
      {pg::Param::oid(set.parent)});
  std::vector<Child> result;
  for (std::uint64_t r = 0; r < spi.row_count(); ++r)
    result.push_back(
        {static_cast<Oid>(spi.get_int64(r, 0).value()), spi.get_text(r, 1).value(), {}});
  for (Child& child : result) {
    pg::check_for_interrupts();
    child.bound = stored_bound(child.oid, set.control_type, set.time_zone);
  }
  return result;
}

// "Now" for the set: the local time in its zone for time sets; for integer sets the highest value
// that is not an outlier (below frontier->outlier_from), else the frontier's current period, else
// (no partitions yet) the highest value or start.
Key now_for(pg::Spi& spi, const SetRow& set, Key start,
            const std::optional<IntegerFrontier>& frontier = std::nullopt) {
  if (is_time_type(set.control_type)) {
    spi.execute("SELECT (pg_catalog.now() AT TIME ZONE $1)::timestamp",
                {pg::Param::text(set.time_zone)}, true);
    bool is_null = false;
    return DatumGetTimestamp(spi.value(0, 0, is_null));
  }
  std::string sql = "SELECT pg_catalog.max(" + pg::quote_identifier(set.control) + ")::int8 FROM " +
                    set.table.quoted();
  if (frontier && frontier->outlier_from != key_max) {
    spi.execute(sql + " WHERE " + pg::quote_identifier(set.control) + " < $1",
                {pg::Param::int8(frontier->outlier_from)}, true);
  } else {
    spi.execute(sql, {}, true);
  }
  std::optional<std::int64_t> highest = spi.get_int64(0, 0);
  if (highest) return *highest;
  return frontier ? frontier->current : start;
}

Key start_key(const SetRow& set) {
  if (!is_time_type(set.control_type)) {
    std::int64_t value = 0;
    auto [end, problem] =
        std::from_chars(set.start_at.data(), set.start_at.data() + set.start_at.size(), value);
    bool whole = end == set.start_at.data() + set.start_at.size();
    if (problem == std::errc::result_out_of_range && whole)
      throw Error(numeric_value_out_of_range, "start_at \"" + set.start_at +
                                                  "\" is out of range for the type of " +
                                                  pg::quote_identifier(set.control));
    if (problem != std::errc() || !whole)
      throw Error(sqlstate::invalid_parameter_value,
                  "start_at \"" + set.start_at + "\" is not an integer");
    check_integer_setting("start_at", pg::quote_identifier(set.control), value,
                          integer_type_min(set.control_type), integer_type_max(set.control_type));
    return value;
  }
  const char* raw = set.start_at.c_str();
  Datum parsed = 0;
  if (auto failure = pg::try_in_subtransaction([&] {
        parsed = pg::call([raw] {
          return DirectFunctionCall3(timestamp_in, CStringGetDatum(raw),
                                     ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
        });
      }))
    throw Error(sqlstate::invalid_parameter_value,
                "start_at \"" + set.start_at + "\" is not a timestamp", failure->message);
  Timestamp start = DatumGetTimestamp(parsed);
  if (TIMESTAMP_NOT_FINITE(start))
    throw Error(sqlstate::invalid_parameter_value,
                "start_at must be a finite timestamp, not \"" + set.start_at + "\"");
  return start;
}

// The parent's columns that rows carry (not dropped, not generated), quoted, comma-separated.
std::string row_columns(pg::Spi& spi, Oid parent) {
  spi.execute(
      "SELECT pg_catalog.string_agg(pg_catalog.quote_ident(attname), ', ' ORDER BY attnum) "
      "FROM pg_catalog.pg_attribute WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped "
      "AND attgenerated = ''",
      {pg::Param::oid(parent)}, true);
  return spi.get_text(0, 0).value();
}

// New partitions belong to the parent's owner and carry the parent's grants: what to run on each,
// worked out once per set (an ALTER OWNER when the caller is not the owner, a GRANT per entry of
// the parent's ACL, with %s for the partition's name).
struct Adoption {
  std::vector<std::string> statements;
};

Adoption adoption_for(pg::Spi& spi, Oid parent) {
  Adoption adoption;
  spi.execute(
      "SELECT 'ALTER TABLE %s OWNER TO ' || pg_catalog.quote_ident(r.rolname) "
      "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_roles r ON r.oid = c.relowner "
      "WHERE c.oid = $1 AND c.relowner <> $2 "
      "UNION ALL "
      "SELECT 'GRANT ' || a.privilege_type || ' ON %s TO ' || "
      "       CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(r.rolname) END || "
      "       CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END "
      "FROM pg_catalog.pg_class c CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) a "
      "LEFT JOIN pg_catalog.pg_roles r ON r.oid = a.grantee "
      "WHERE c.oid = $1 AND a.grantee <> c.relowner",
      {pg::Param::oid(parent), pg::Param::oid(GetUserId())}, true);
  for (std::uint64_t r = 0; r < spi.row_count(); ++r)
    adoption.statements.push_back(spi.get_text(r, 0).value());
  return adoption;
}

void adopt(pg::Spi& spi, const Adoption& adoption, const std::string& target) {
  for (const std::string& statement : adoption.statements) {
    std::string sql = statement;
    sql.replace(sql.find("%s"), 2, target);
    spi.execute(sql);
  }
}

// "YYYY-MM-DD HH:MI" of local_text's "YYYY-MM-DD HH:MI:SS.FFFFFF" (years may have more digits).
std::string minutes_of(const std::string& local) { return local.substr(0, local.size() - 10); }

// A range for people: local times in the set's zone, or the integers.
std::string shown_range(Key lower, Key upper, const SetRow& set) {
  auto one = [&](Key key) -> std::string {
    if (key == key_min) return "MINVALUE";
    if (key == key_max) return "MAXVALUE";
    if (!is_time_type(set.control_type)) return std::to_string(key);
    std::string text = local_text(key, set.control_type == DATEOID);
    return set.control_type == DATEOID ? text : minutes_of(text);
  };
  std::string text = "[" + one(lower) + ", " + one(upper) + ")";
  if (set.control_type == TIMESTAMPTZOID) text += " " + set.time_zone;
  return text;
}

// 22008 for a retention that reaches past the range of timestamps: PostgreSQL itself refuses
// now() - interval '1000000 years', and a cutoff that wrapped around would expire everything.
Error retention_overflow(const std::string& retention) {
  return Error(datetime_field_overflow,
               "retention \"" + retention + "\" reaches before the range of timestamps",
               "now() minus the retention would be earlier than 4714-11-24 BC.",
               "Use a shorter retention, or retention => 'none'.");
}

struct Outcome {
  std::string action;
  std::string partition;
  std::string detail;
};

// One pass over one set. Only create_partitioned backfills from start_at: later passes keep the
// current period and the premade ones covered, so partitions that retention (or a person) removed
// are not brought back.
std::vector<Outcome> maintain(pg::Spi& spi, SetRow set, bool dry_run, bool backfill, bool force) {
  // Checked here, inside the set's own subtransaction: a table renamed, dropped and replaced, or
  // handed to another owner since registration fails this set only. (Sets are found by name, so
  // that pg_dump and pg_restore keep them.)
  char* owner_now = pg::call([&set] { return GetUserNameFromId(set.owner, true); });
  if (owner_now == nullptr || set.owner_name != owner_now)
    throw Error(sqlstate::object_not_in_prerequisite_state,
                "table " + set.table.quoted() + " now belongs to " +
                    (owner_now ? pg::quote_identifier(owner_now) : std::string("another role")) +
                    ", not to " + pg::quote_identifier(set.owner_name) + ", who registered the set",
                {}, "Register it again: forget_partitioned() then create_partitioned().");
  set.control_type = require_range_parent(spi, set.parent, set.table, set.control);
  // Everything a pass does runs as the table's owner in a restricted context, as VACUUM does:
  // triggers and constraints fired by moving rows must never run with the caller's rights (a
  // superuser, or the pg_cron job's role).
  pg::ActingAs as_table_owner(set.owner);
  std::unique_ptr<Steps> steps = steps_for(set);
  SetConfig config;
  config.parent = set.table.name;
  config.premake = set.premake;
  Key start = start_key(set);
  if (backfill) config.start = start;
  config.default_partition = set.default_partition;
  SetState state;
  state.check_for_interrupts = [] { pg::check_for_interrupts(); };
  std::optional<Child> default_child;
  for (Child& child : children(spi, set)) {
    if (child.bound.is_default) {
      default_child = child;
    } else {
      state.partitions.push_back({child.name, child.bound.lower, child.bound.upper});
    }
  }
  state.has_default = default_child.has_value();
  // Integer sets stand where their partitions say, so that one stray id (in the default, or in a
  // partition ending at MAXVALUE) neither drags creation along nor makes retention drop the set.
  std::optional<IntegerFrontier> frontier;
  if (!is_time_type(set.control_type))
    frontier = integer_frontier(*steps, state.partitions, set.premake);
  Key now = now_for(spi, set, start, frontier);
  if (set.retention) {
    config.retention = set.retention_mode == "drop"     ? Retention::drop
                       : set.retention_mode == "detach" ? Retention::detach
                                                        : Retention::archive;
    if (is_time_type(set.control_type)) {
      std::optional<Key> cutoff = shift(now, parse_interval(*set.retention, "retention"), -1);
      if (!cutoff) throw retention_overflow(*set.retention);
      config.retention_cutoff = *cutoff;
    } else {
      // now is the highest value that is not an outlier: retention counts from there
      config.retention_cutoff = saturating_minus(now, parse_width(*set.retention, "retention"));
    }
  }
  if (!backfill && is_time_type(set.control_type)) {
    // After an outage longer than the runway, resume from the newest partition's end, so the
    // missed periods are created (and their rows moved out of the default). Not for integer sets,
    // where a gap means an outlying id rather than lost time: filling up to it could mean
    // millions of partitions.
    Key newest = key_min;
    for (const Partition& p : state.partitions) {
      if (p.upper != key_max) newest = std::max(newest, p.upper);
    }
    if (newest != key_min && newest < now) config.start = newest;
  }
  Oid namespace_oid = pg::call([&set] { return get_rel_namespace(set.parent); });
  state.name_taken = [namespace_oid](const std::string& name) {
    const char* raw = name.c_str();
    return OidIsValid(
        pg::call([raw, namespace_oid] { return get_relname_relid(raw, namespace_oid); }));
  };
  // Only a default that holds rows needs each new range checked for rows to move.
  bool default_has_rows = false;
  if (default_child) {
    spi.execute("SELECT EXISTS (SELECT FROM " + pg::quote_identifier(set.table.schema) + "." +
                    pg::quote_identifier(default_child->name) + ")",
                {}, true);
    default_has_rows = spi.get_bool(0, 0).value();
  }
  std::optional<Adoption> adoption;  // worked out when the first partition is created
  bool foreign_keys_checked = false;

  std::vector<Outcome> outcomes;
  std::string schema = pg::quote_identifier(set.table.schema);
  std::string column = pg::quote_identifier(set.control);
  auto run = [&](const Action& action) {
    std::string target = schema + "." + pg::quote_identifier(action.name);
    std::string range = "FROM (" + bound_sql(action.lower, set.control_type, set.time_zone) +
                        ") TO (" + bound_sql(action.upper, set.control_type, set.time_zone) + ")";
    std::string shown = shown_range(action.lower, action.upper, set);
    switch (action.kind) {
      case Action::Kind::move_rows: {
        if (!default_has_rows) return;
        if (!foreign_keys_checked) {
          // Rows leave the default by DELETE: foreign keys pointing at the parent would fire
          // (ON DELETE CASCADE would delete rows elsewhere).
          spi.execute(
              "SELECT EXISTS (SELECT FROM pg_catalog.pg_constraint WHERE contype = 'f' "
              "AND confrelid = $1)",
              {pg::Param::oid(set.parent)}, true);
          if (spi.get_bool(0, 0).value())
            throw Error(sqlstate::object_not_in_prerequisite_state,
                        "rows in the default partition of " + set.table.quoted() +
                            " cannot be moved: foreign keys reference " + set.table.quoted(),
                        {}, "Move them into a new partition yourself, or empty the default.");
          foreign_keys_checked = true;
        }
        std::string where = "true";
        if (action.lower != key_min)
          where +=
              " AND " + column + " >= " + bound_sql(action.lower, set.control_type, set.time_zone);
        if (action.upper != key_max)
          where +=
              " AND " + column + " < " + bound_sql(action.upper, set.control_type, set.time_zone);
        std::string from_default = schema + "." + pg::quote_identifier(default_child->name);
        spi.execute("SELECT count(*)::int8 FROM " + from_default + " WHERE " + where, {}, true);
        std::int64_t rows = spi.get_int64(0, 0).value();
        if (rows == 0) return;
        if (!dry_run) {
          // The new partition is built beside the set, filled from the default, then attached:
          // creating it in place would fail while the default still holds its rows.
          spi.execute(
              "CREATE TABLE " + target + " (LIKE " + set.table.quoted() +
              " INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING GENERATED)");
          std::string columns = row_columns(spi, set.parent);
          spi.execute("WITH moved AS (DELETE FROM " + from_default + " WHERE " + where +
                      " RETURNING " + columns + ") INSERT INTO " + target + " (" + columns +
                      ") SELECT " + columns + " FROM moved");
        }
        outcomes.push_back({"move_rows", action.name,
                            std::to_string(rows) + (rows == 1 ? " row" : " rows") +
                                " from the default partition"});
        break;
      }
      case Action::Kind::create: {
        bool filled = !outcomes.empty() && outcomes.back().action == "move_rows" &&
                      outcomes.back().partition == action.name;
        if (!dry_run) {
          if (filled) {
            spi.execute("ALTER TABLE " + set.table.quoted() + " ATTACH PARTITION " + target +
                        " FOR VALUES " + range);
          } else {
            spi.execute("CREATE TABLE " + target + " PARTITION OF " + set.table.quoted() +
                        " FOR VALUES " + range);
          }
          if (!adoption) adoption = adoption_for(spi, set.parent);
          adopt(spi, *adoption, target);
        }
        outcomes.push_back({"create", action.name, shown});
        break;
      }
      case Action::Kind::create_default:
        if (!dry_run) {
          spi.execute("CREATE TABLE " + target + " PARTITION OF " + set.table.quoted() +
                      " DEFAULT");
          if (!adoption) adoption = adoption_for(spi, set.parent);
          adopt(spi, *adoption, target);
        }
        outcomes.push_back({"create", action.name, "DEFAULT"});
        break;
      case Action::Kind::drop:
        if (!dry_run) spi.execute("DROP TABLE " + target);
        outcomes.push_back({"drop", action.name, shown});
        break;
      case Action::Kind::detach:
        if (!dry_run)
          spi.execute("ALTER TABLE " + set.table.quoted() + " DETACH PARTITION " + target);
        outcomes.push_back({"detach", action.name, shown});
        break;
      case Action::Kind::archive:
        if (!dry_run) {
          spi.execute("ALTER TABLE " + set.table.quoted() + " DETACH PARTITION " + target);
          spi.execute("ALTER TABLE " + target + " SET SCHEMA " +
                      pg::quote_identifier(set.archive_schema.value()));
        }
        outcomes.push_back(
            {"archive", action.name, shown + ", moved to schema " + set.archive_schema.value()});
        break;
    }
  };

  // Retiring and creating are independent: a failure in one (an archive name already taken, a
  // view depending on an old partition) must neither undo nor block the other.
  std::vector<Action> plan = plan_maintenance(config, *steps, state, now);
  if (std::optional<std::string> refusal = retirement_refusal(
          plan, state.partitions.size(), set.retention_limit, set.table.quoted());
      refusal && !force) {
    std::erase_if(plan, retires);
    outcomes.push_back(
        {"error", "", std::string(sqlstate::object_not_in_prerequisite_state) + ": " + *refusal});
  }
  for (bool retiring : {true, false}) {
    std::size_t done = outcomes.size();
    if (auto failure = pg::try_in_subtransaction([&] {
          for (const Action& action : plan) {
            pg::check_for_interrupts();
            if (retires(action) == retiring) run(action);
          }
        })) {
      outcomes.resize(done);  // rolled back: those actions did not happen
      outcomes.push_back({"error", "", failure->summary()});
    }
  }
  return outcomes;
}

}  // namespace

}  // namespace pgdb::partitions

using namespace pgdb;
using namespace pgdb::partitions;

namespace {

// 22023 (or 3F000 for a missing archive schema) unless the set's settings make sense.
void validate_settings(pg::Spi& spi, const SetRow& set) {
  check_premake(set.premake);
  if (set.retention_mode != "drop" && set.retention_mode != "detach" &&
      set.retention_mode != "archive")
    throw Error(
        sqlstate::invalid_parameter_value,
        "retention_mode must be drop, detach or archive, not \"" + set.retention_mode + "\"");
  if (set.retention_mode == "archive" && !set.archive_schema)
    throw Error(sqlstate::invalid_parameter_value, "retention_mode archive needs archive_schema");
  check_retention_limit(set.retention_limit);
  steps_for(set);
  Key local_now = 0;
  if (auto failure = pg::try_in_subtransaction([&] {
        spi.execute("SELECT (pg_catalog.now() AT TIME ZONE $1)::timestamp",
                    {pg::Param::text(set.time_zone)}, true);
        bool is_null = false;
        local_now = DatumGetTimestamp(spi.value(0, 0, is_null));
      }))
    throw Error(sqlstate::invalid_parameter_value,
                "time_zone \"" + set.time_zone + "\" is not a time zone", failure->message);
  if (set.retention) {
    if (is_time_type(set.control_type)) {
      Period retention = parse_interval(*set.retention, "retention");
      if (retention.months < 0 || retention.days < 0 || retention.micros < 0 ||
          (retention.months == 0 && retention.days == 0 && retention.micros == 0))
        throw Error(sqlstate::invalid_parameter_value,
                    "retention must be a positive interval, not \"" + *set.retention + "\"");
      if (!shift(local_now, retention, -1)) throw retention_overflow(*set.retention);
    } else {
      check_integer_setting("retention", pg::quote_identifier(set.control),
                            parse_width(*set.retention, "retention"), 1,
                            integer_type_max(set.control_type));
    }
  }
  if (set.archive_schema) {
    spi.execute(
        "SELECT pg_catalog.has_schema_privilege(oid, 'CREATE'), oid::pg_catalog.int8 "
        "FROM pg_catalog.pg_namespace WHERE nspname = $1",
        {pg::Param::text(*set.archive_schema)}, true);
    if (spi.row_count() == 0)
      throw Error("3F000", "archive_schema \"" + *set.archive_schema + "\" does not exist");
    bool may_create = spi.get_bool(0, 0).value();
    Oid nsp = static_cast<Oid>(spi.get_int64(0, 1).value());
    // Archived partitions are the set's data: never filed among PostgreSQL's catalogs or the
    // extension's own objects (dropped with it, or read as its catalog).
    if (pg::is_system_schema(nsp) || pg::is_extension_schema(spi, nsp))
      throw Error(sqlstate::invalid_parameter_value,
                  "archive_schema \"" + *set.archive_schema +
                      "\" is a system schema or belongs to the pgdb_tools extension",
                  {}, "Archive into a schema of your own, e.g. CREATE SCHEMA archive.");
    if (!may_create)
      throw Error(sqlstate::insufficient_privilege,
                  "permission denied to create in archive_schema \"" + *set.archive_schema + "\"");
  }
  // Sub-daily periods in a zone with daylight saving time would need partitions for local times
  // that do not exist (the spring-forward hour): refused rather than half supported.
  if (set.control_type == TIMESTAMPTZOID) {
    Period period = parse_interval(set.interval_text, "partition_interval");
    if (period.months == 0 && (period.micros != 0 || period.days == 0)) {
      spi.execute(
          "SELECT (TIMESTAMP '2026-01-15' AT TIME ZONE $1) - (TIMESTAMP '2026-07-15' AT TIME ZONE "
          "$1) "
          "       <> interval '-181 days'",
          {pg::Param::text(set.time_zone)}, true);
      if (spi.get_bool(0, 0).value())
        throw Error(
            sqlstate::invalid_parameter_value,
            "partition_interval \"" + set.interval_text + "\" is shorter than a day, and " +
                set.time_zone + " has daylight saving time",
            {}, "Use a time zone without daylight saving time (such as UTC) for sub-daily sets.");
    }
  }
}

}  // namespace

namespace {

// 22023 for '-'::regclass (InvalidOid), which names no table; "relation with OID 0" says nothing.
void require_named(Oid parent) {
  if (!OidIsValid(parent))
    throw Error(sqlstate::invalid_parameter_value, "parent must name a table, not \"-\"");
}

std::optional<std::string> optional_text(FunctionCallInfo fcinfo, int n) {
  if (PG_ARGISNULL(n)) return std::nullopt;
  return pg::text_to_string(PG_GETARG_DATUM(n));
}

void record_run(pg::Spi& spi, const SetRow& set, Datum started, int actions,
                const std::optional<std::string>& error) {
  pg::AsExtensionOwner as_owner(spi);
  spi.execute(
      "INSERT INTO pgdb_tools.partition_runs "
      "  (parent_schema, parent_name, started_at, finished_at, actions, error) "
      "VALUES ($1, $2, $3, pg_catalog.clock_timestamp(), $4, $5)",
      {pg::Param::text(set.table.schema), pg::Param::text(set.table.name),
       pg::Param{TIMESTAMPTZOID, started, false}, pg::Param::int4(actions),
       error ? pg::Param::text(*error) : pg::Param::null(TEXTOID)});
}

Datum clock_now() {
  return pg::call([] { return DirectFunctionCall1(clock_timestamp, Datum(0)); });
}

struct Report {
  std::string parent;
  std::vector<Outcome> outcomes;
  std::optional<std::string> error;
};

// The advisory lock that serialises work on one set (maintenance passes, registration), held to
// the end of the transaction: (class, the parent's OID), class spelling "part".
constexpr std::int32_t set_lock_class = 0x70617274;

bool try_lock_set(pg::Spi& spi, Oid parent) {
  spi.execute(
      "SELECT pg_catalog.pg_try_advisory_xact_lock($1, $2)",
      {pg::Param::int4(set_lock_class), pg::Param::int4(static_cast<std::int32_t>(parent))});
  return spi.get_bool(0, 0).value();
}

void lock_set(pg::Spi& spi, Oid parent) {
  spi.execute(
      "SELECT pg_catalog.pg_advisory_xact_lock($1, $2)",
      {pg::Param::int4(set_lock_class), pg::Param::int4(static_cast<std::int32_t>(parent))});
}

// One set's pass in a subtransaction of its own: an error there rolls back only that set. A set
// another session is maintaining (or registering) right now is skipped with a 55P03 error row,
// unrecorded: that session's pass does the work (run_maintenance_proc retries it).
Report maintain_isolated(pg::Spi& spi, const SetRow& set, bool dry_run, bool force) {
  Report report{set.table.quoted(), {}, std::nullopt};
  if (!try_lock_set(spi, set.parent)) {
    report.error = "55P03: " + set.table.quoted() +
                   " is being maintained by another session; skipped (run it again later)";
    return report;
  }
  Datum started = clock_now();
  // A cancel or statement_timeout stops the whole call, not just this set.
  if (auto failure = pg::try_in_subtransaction(
          [&] { report.outcomes = maintain(spi, set, dry_run, false, force); }))
    report.error = failure->summary();
  int actions = 0;
  std::optional<std::string> recorded_error = report.error;
  for (const Outcome& o : report.outcomes) {
    if (o.action == "error") {
      recorded_error = recorded_error ? *recorded_error + "; " + o.detail : o.detail;
    } else if (o.action != "move_rows") {
      ++actions;
    }
  }
  if (!dry_run) record_run(spi, set, started, actions, recorded_error);
  return report;
}

}  // namespace

// create_partitioned(parent, control, partition_interval, premake, start_at, retention,
//                    retention_mode, archive_schema, default_partition, time_zone) RETURNS integer
PGDB_FUNCTION(pgdb_tools_create_partitioned) {
  for (int n : {0, 1, 2})
    if (PG_ARGISNULL(n))
      throw Error(sqlstate::invalid_parameter_value, std::string(n == 0   ? "parent"
                                                                 : n == 1 ? "control"
                                                                          : "partition_interval") +
                                                         " must not be NULL");
  Oid parent = PG_GETARG_OID(0);
  require_named(parent);
  pg::require_table(parent, "parent");
  pg::require_table_owner(parent, "manage its partitions");
  pg::TableName table = pg::table_name(parent);
  SetRow set;
  set.parent = parent;
  set.table = table;
  set.control = pg::text_to_string(PG_GETARG_DATUM(1));
  set.interval_text = pg::text_to_string(PG_GETARG_DATUM(2));
  set.premake = PG_ARGISNULL(3) ? 4 : PG_GETARG_INT32(3);
  std::optional<std::string> start_at = optional_text(fcinfo, 4);
  set.retention = optional_text(fcinfo, 5);
  set.retention_mode = optional_text(fcinfo, 6).value_or("drop");
  set.archive_schema =
      PG_ARGISNULL(7) ? std::nullopt : std::optional(std::string(NameStr(*PG_GETARG_NAME(7))));
  set.default_partition = PG_ARGISNULL(8) || PG_GETARG_BOOL(8);
  set.time_zone = optional_text(fcinfo, 9).value_or("UTC");
  // retention_limit (added in 0.2.0; the 0.1.0 declaration has ten arguments)
  set.retention_limit = PG_NARGS() > 10 && !PG_ARGISNULL(10) ? PG_GETARG_INT32(10) : 50;

  int created = 0;
  {
    pg::SearchPath trusted(pg::trusted_search_path);
    pg::Spi spi;
    // Two registrations of one table at once: the second waits here, then finds the first's set
    // (the same settings: nothing to do) instead of failing on the registry's primary key.
    lock_set(spi, parent);
    set.control_type = require_range_parent(spi, parent, table, set.control);
    validate_settings(spi, set);
    std::unique_ptr<Steps> steps = steps_for(set);
    // start_at: as given, or the current period.
    if (start_at) {
      set.start_at = *start_at;
      start_key(set);  // validates
    } else {
      set.start_at = is_time_type(set.control_type) ? "1970-01-01" : "0";
      Key now = now_for(spi, set, 0);
      Key first = steps->floor(now);
      set.start_at =
          is_time_type(set.control_type) ? local_text(first, false) : std::to_string(first);
    }

    spi.execute(
        "SELECT control::text = $3 AND partition_interval = $4 AND premake = $5 AND "
        "       retention IS NOT DISTINCT FROM $6 AND retention_mode = $7 AND "
        "       archive_schema::text IS NOT DISTINCT FROM $8 AND default_partition = $9 AND "
        "       time_zone = $10 AND ($11::text IS NULL OR start_at = $11) AND "
        "       retention_limit = $12 "
        "FROM pgdb_tools.partition_sets WHERE parent_schema = $1 AND parent_name = $2",
        {pg::Param::text(table.schema), pg::Param::text(table.name), pg::Param::text(set.control),
         pg::Param::text(set.interval_text), pg::Param::int4(set.premake),
         set.retention ? pg::Param::text(*set.retention) : pg::Param::null(TEXTOID),
         pg::Param::text(set.retention_mode),
         set.archive_schema ? pg::Param::text(*set.archive_schema) : pg::Param::null(TEXTOID),
         pg::Param::boolean(set.default_partition), pg::Param::text(set.time_zone),
         start_at ? pg::Param::text(*start_at) : pg::Param::null(TEXTOID),
         pg::Param::int4(set.retention_limit)});
    if (spi.row_count() == 1 && !spi.get_bool(0, 0).value())
      throw Error(
          sqlstate::object_not_in_prerequisite_state,
          "table " + table.quoted() + " is already a partition set with other settings", {},
          "Change it with pgdb_tools.update_partitioned(), or forget_partitioned() it first.");
    if (spi.row_count() == 0) {
      pg::AsExtensionOwner as_owner(spi);
      std::uint64_t inserted = spi.execute(
          "INSERT INTO pgdb_tools.partition_sets (parent_schema, parent_name, control, "
          "  partition_interval, premake, start_at, retention, retention_mode, archive_schema, "
          "  default_partition, time_zone, owner_name, retention_limit) VALUES ($1, $2, $3, $4, "
          "  $5, $6, $7, $8, $9, $10, $11, (SELECT r.rolname FROM pg_catalog.pg_class c JOIN "
          "  pg_catalog.pg_roles r ON r.oid = c.relowner WHERE c.oid = $12), $13) "
          "ON CONFLICT DO NOTHING",
          {pg::Param::text(table.schema), pg::Param::text(table.name), pg::Param::text(set.control),
           pg::Param::text(set.interval_text), pg::Param::int4(set.premake),
           pg::Param::text(set.start_at),
           set.retention ? pg::Param::text(*set.retention) : pg::Param::null(TEXTOID),
           pg::Param::text(set.retention_mode),
           set.archive_schema ? pg::Param::text(*set.archive_schema) : pg::Param::null(TEXTOID),
           pg::Param::boolean(set.default_partition), pg::Param::text(set.time_zone),
           pg::Param::oid(parent), pg::Param::int4(set.retention_limit)});
      // Only when this transaction's snapshot predates another session's registration
      // (REPEATABLE READ): the lock above serialises the rest.
      if (inserted == 0)
        throw Error(sqlstate::duplicate_object,
                    "table " + table.quoted() + " was registered by another session meanwhile", {},
                    "Call create_partitioned() again in a new transaction.");
    }
    std::vector<SetRow> sets = load_sets(spi, parent);
    Datum started = clock_now();
    std::vector<Outcome> outcomes = maintain(spi, sets.at(0), false, true, false);
    int moved = 0;
    for (const Outcome& o : outcomes) {
      // At registration nothing may be left half done: a failed step fails the whole call.
      if (o.action == "error")
        throw Error(sqlstate::object_not_in_prerequisite_state,
                    "could not create the partitions of " + table.quoted(), o.detail);
      created += o.action == "create" ? 1 : 0;
      moved += o.action == "move_rows" ? 1 : 0;
    }
    pg::notice("created " + std::to_string(created) +
               (created == 1 ? " partition" : " partitions") + " of " + table.quoted() +
               (moved ? ", moving rows out of the default partition into " + std::to_string(moved) +
                            " of them"
                      : ""));
    record_run(spi, sets.at(0), started, created, std::nullopt);
  }
  PG_RETURN_INT32(created);
}

// run_maintenance(parent regclass, dry_run boolean)
//   RETURNS TABLE(parent regclass, action text, partition_name text, detail text)
PGDB_FUNCTION(pgdb_tools_run_maintenance) {
  Oid only = PG_ARGISNULL(0) ? InvalidOid : PG_GETARG_OID(0);
  bool dry_run = !PG_ARGISNULL(1) && PG_GETARG_BOOL(1);
  // force (added in 0.2.0): retire past the set's retention_limit. The 0.1.0 SQL declaration
  // has two arguments.
  bool force = PG_NARGS() > 2 && !PG_ARGISNULL(2) && PG_GETARG_BOOL(2);
  if (OidIsValid(only)) {
    pg::require_table(only, "parent");
    pg::require_table_owner(only, "manage its partitions");
  }
  std::vector<Report> reports;
  {
    pg::SearchPath trusted(pg::trusted_search_path);
    pg::Spi spi;
    std::vector<SetRow> sets =
        OidIsValid(only) ? std::vector{require_set(spi, only)} : load_sets(spi, InvalidOid);
    Oid user = GetUserId();
    for (const SetRow& set : sets) {
      bool owned = pg::call([&set, user] { return pg::compat::owns_relation(set.parent, user); });
      if (!owned) continue;  // a pass over every set covers the sets the caller may maintain
      pg::check_for_interrupts();
      reports.push_back(maintain_isolated(spi, set, dry_run, force));
    }
  }
  pg::ResultRows result(fcinfo);
  for (const Report& report : reports) {
    for (const Outcome& o : report.outcomes)
      result.add({report.parent, o.action,
                  o.partition.empty() ? std::nullopt : std::optional(o.partition), o.detail});
    if (report.error)
      result.add({report.parent, std::string("error"), std::nullopt, *report.error});
  }
  PG_RETURN_NULL();
}

namespace {

bool forget_table(Oid parent) {
  require_named(parent);
  pg::require_table(parent, "parent");
  pg::require_table_owner(parent, "manage its partitions");
  pg::TableName table = pg::table_name(parent);
  pg::SearchPath trusted(pg::trusted_search_path);
  pg::Spi spi;
  pg::AsExtensionOwner as_owner(spi);
  return spi.execute(
             "DELETE FROM pgdb_tools.partition_sets WHERE parent_schema = $1 AND parent_name = $2",
             {pg::Param::text(table.schema), pg::Param::text(table.name)}) > 0;
}

}  // namespace

// forget_partitioned(parent regclass) RETURNS boolean: stops managing the set; partitions stay.
PGDB_FUNCTION(pgdb_tools_forget_partitioned) {
  if (PG_ARGISNULL(0)) throw Error(sqlstate::invalid_parameter_value, "parent must not be NULL");
  PG_RETURN_BOOL(forget_table(PG_GETARG_OID(0)));
}

// forget_partitioned(parent text) RETURNS boolean: the same for a table named as text, which may
// also be a table that no longer exists (a set recorded under that name, whose table was dropped
// while the extension could not notice, e.g. before 0.2.0). The name is resolved as the caller
// would resolve it: a live table first, then the sets recorded in the schemas of the caller's
// search_path (or the given schema). A set of a dropped table may be forgotten by members of the
// role recorded as its owner, or by a superuser when that role is gone too.
PGDB_FUNCTION(pgdb_tools_forget_partitioned_by_name) {
  if (PG_ARGISNULL(0)) throw Error(sqlstate::invalid_parameter_value, "parent must not be NULL");
  std::string name = pg::text_to_string(PG_GETARG_DATUM(0));
  if (name.empty()) throw Error(sqlstate::invalid_parameter_value, "parent must not be empty");
  const char* raw = name.c_str();
  auto* range =
      pg::call([raw] { return makeRangeVarFromNameList(pg::compat::qualified_name_list(raw)); });
  Oid live = pg::call([range] { return RangeVarGetRelid(range, NoLock, true); });
  if (OidIsValid(live)) PG_RETURN_BOOL(forget_table(live));

  std::vector<std::string> schemas;
  if (range->schemaname != nullptr) {
    schemas.emplace_back(range->schemaname);
  } else {
    List* path = pg::call([] { return fetch_search_path(false); });
    ListCell* cell;
    foreach (cell, path) {
      Oid schema = lfirst_oid(cell);
      char* schema_name = pg::call([schema] { return get_namespace_name(schema); });
      if (schema_name != nullptr) schemas.emplace_back(schema_name);
    }
  }
  std::string relname = range->relname;
  bool removed = false;
  {
    pg::SearchPath trusted(pg::trusted_search_path);
    pg::Spi spi;
    for (const std::string& schema : schemas) {
      spi.execute(
          "SELECT s.owner_name::text, "
          "       (SELECT pg_catalog.pg_has_role(r.oid, 'USAGE') FROM pg_catalog.pg_roles r "
          "         WHERE r.rolname = s.owner_name) "
          "FROM pgdb_tools.partition_sets s WHERE s.parent_schema = $1 AND s.parent_name = $2",
          {pg::Param::text(schema), pg::Param::text(relname)}, true);
      if (spi.row_count() == 0) continue;
      std::string owner_name = spi.get_text(0, 0).value();
      std::optional<bool> member = spi.get_bool(0, 1);
      bool allowed = member ? *member : pg::call([] { return superuser(); });
      if (!allowed)
        throw Error(sqlstate::insufficient_privilege,
                    "permission denied to forget the partition set " +
                        pg::quote_identifier(schema) + "." + pg::quote_identifier(relname),
                    "Its table no longer exists; the set was registered by " +
                        pg::quote_identifier(owner_name) + ".",
                    "Only members of that role (or a superuser, when the role is gone) can "
                    "forget it.");
      pg::AsExtensionOwner as_owner(spi);
      removed = spi.execute(
                    "DELETE FROM pgdb_tools.partition_sets "
                    "WHERE parent_schema = $1 AND parent_name = $2",
                    {pg::Param::text(schema), pg::Param::text(relname)}) > 0;
      break;
    }
  }
  if (!removed) pg::notice("no table and no partition set named " + name + ": nothing to forget");
  PG_RETURN_BOOL(removed);
}

// _partition_lower_key(partition oid) RETURNS bigint: the raw lower bound, for ordering.
PGDB_FUNCTION(pgdb_tools_partition_lower_key) {
  PartitionBoundSpec* spec = bound_spec(PG_GETARG_OID(0));
  if (spec == nullptr || spec->is_default || spec->strategy != PARTITION_STRATEGY_RANGE)
    PG_RETURN_NULL();
  auto* datum = static_cast<PartitionRangeDatum*>(linitial(spec->lowerdatums));
  if (datum->kind != PARTITION_RANGE_DATUM_VALUE) PG_RETURN_NULL();
  auto* value = reinterpret_cast<Const*>(datum->value);
  switch (value->consttype) {
    case INT4OID:
    case DATEOID:
      PG_RETURN_INT64(DatumGetInt32(value->constvalue));
    case INT8OID:
    case TIMESTAMPOID:
    case TIMESTAMPTZOID:
      PG_RETURN_INT64(DatumGetInt64(value->constvalue));
    default:
      PG_RETURN_NULL();
  }
}

// update_partitioned(parent, premake, retention, retention_mode, archive_schema) RETURNS boolean:
// changes the given settings (retention => 'none' clears it); true when something changed.
PGDB_FUNCTION(pgdb_tools_update_partitioned) {
  if (PG_ARGISNULL(0)) throw Error(sqlstate::invalid_parameter_value, "parent must not be NULL");
  Oid parent = PG_GETARG_OID(0);
  require_named(parent);
  pg::require_table(parent, "parent");
  pg::require_table_owner(parent, "manage its partitions");
  pg::SearchPath trusted(pg::trusted_search_path);
  pg::Spi spi;
  SetRow set = require_set(spi, parent);
  set.control_type = require_range_parent(spi, set.parent, set.table, set.control);
  SetRow before = set;
  if (!PG_ARGISNULL(1)) set.premake = PG_GETARG_INT32(1);
  if (std::optional<std::string> retention = optional_text(fcinfo, 2))
    set.retention = *retention == "none" ? std::nullopt : retention;
  if (std::optional<std::string> mode = optional_text(fcinfo, 3)) set.retention_mode = *mode;
  if (!PG_ARGISNULL(4)) set.archive_schema = std::string(NameStr(*PG_GETARG_NAME(4)));
  // retention_limit (added in 0.2.0)
  if (PG_NARGS() > 5 && !PG_ARGISNULL(5)) set.retention_limit = PG_GETARG_INT32(5);
  validate_settings(spi, set);
  bool changed = set.premake != before.premake || set.retention != before.retention ||
                 set.retention_mode != before.retention_mode ||
                 set.archive_schema != before.archive_schema ||
                 set.retention_limit != before.retention_limit;
  if (changed) {
    pg::AsExtensionOwner as_owner(spi);
    spi.execute(
        "UPDATE pgdb_tools.partition_sets SET premake = $3, retention = $4, retention_mode = $5, "
        "archive_schema = $6, retention_limit = $7 WHERE parent_schema = $1 AND parent_name = $2",
        {pg::Param::text(set.table.schema), pg::Param::text(set.table.name),
         pg::Param::int4(set.premake),
         set.retention ? pg::Param::text(*set.retention) : pg::Param::null(TEXTOID),
         pg::Param::text(set.retention_mode),
         set.archive_schema ? pg::Param::text(*set.archive_schema) : pg::Param::null(TEXTOID),
         pg::Param::int4(set.retention_limit)});
  }
  PG_RETURN_BOOL(changed);
}

// _partition_set_status(parent) RETURNS TABLE(newest_upper_bound text, runway text,
// default_rows bigint): for the partition_status view.
PGDB_FUNCTION(pgdb_tools_partition_set_status) {
  Oid parent = PG_GETARG_OID(0);
  std::optional<std::string> newest;
  std::optional<std::string> runway;
  std::optional<std::string> default_rows;
  {
    pg::SearchPath trusted(pg::trusted_search_path);
    pg::Spi spi;
    std::vector<SetRow> sets = load_sets(spi, parent);
    auto read_status = [&] {
      SetRow set = sets.front();
      set.control_type = require_range_parent(spi, set.parent, set.table, set.control);
      Key upper = key_min;
      std::optional<std::string> default_name;
      std::vector<Partition> partitions;
      for (const Child& child : children(spi, set)) {
        if (child.bound.is_default) {
          default_name = child.name;
        } else {
          partitions.push_back({child.name, child.bound.lower, child.bound.upper});
          if (child.bound.upper != key_max) upper = std::max(upper, child.bound.upper);
        }
      }
      if (upper != key_min) {
        std::optional<IntegerFrontier> frontier;
        if (!is_time_type(set.control_type))
          frontier = integer_frontier(*steps_for(set), partitions, set.premake);
        Key now = now_for(spi, set, start_key(set), frontier);
        if (is_time_type(set.control_type)) {
          newest = set.control_type == DATEOID ? local_text(upper, true)
                                               : minutes_of(local_text(upper, false));
          if (set.control_type == TIMESTAMPTZOID) *newest += " " + set.time_zone;
          // The span in whole minutes, as an interval (justified to days).
          std::int64_t minutes = (upper - now) / 60'000'000;
          spi.execute("SELECT pg_catalog.justify_hours($1 * interval '1 minute')::text",
                      {pg::Param::int8(minutes)}, true);
          runway = spi.get_text(0, 0);
        } else {
          newest = std::to_string(upper);
          runway = std::to_string(static_cast<__int128>(upper) - now > PG_INT64_MAX ? PG_INT64_MAX
                                                                                    : upper - now) +
                   " ids";
        }
      }
      if (default_name) {
        spi.execute("SELECT pg_catalog.count(*)::int8 FROM " +
                        pg::quote_identifier(set.table.schema) + "." +
                        pg::quote_identifier(*default_name),
                    {}, true);
        default_rows = std::to_string(spi.get_int64(0, 0).value());
      }
    };
    // A set that cannot be read (renamed, replaced) shows NULLs rather than failing the view.
    if (!sets.empty() && pg::try_in_subtransaction(read_status))
      newest = runway = default_rows = std::nullopt;
  }
  pg::ResultRows result(fcinfo);
  result.add({newest, runway, default_rows});
  PG_RETURN_NULL();
}
