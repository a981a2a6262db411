#include "partitions/values_pg.hpp"

#include "core/error.hpp"
#include "partitions/settings.hpp"
#include "pg/datum.hpp"
#include "pg/guard.hpp"
#include "pg/subtransaction.hpp"
#include "pg/syscache.hpp"

extern "C" {
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "nodes/parsenodes.h"
#include "nodes/primnodes.h"
#include "nodes/readfuncs.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/timestamp.h"
}

namespace pgdb::partitions {

std::optional<ControlType> control_type_of(Oid type) {
  switch (type) {
    case TIMESTAMPTZOID:
      return ControlType::timestamptz;
    case TIMESTAMPOID:
      return ControlType::timestamp;
    case DATEOID:
      return ControlType::date;
    case INT4OID:
      return ControlType::int4;
    case INT8OID:
      return ControlType::int8;
    default:
      return std::nullopt;
  }
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

Width parse_width_of(ControlType type, const std::string& text, const char* argument) {
  if (is_time(type)) return Width{parse_interval(text, argument), 0};
  return Width{{}, parse_width(text, argument)};
}

Key start_key(const std::string& start_at, ControlType type, const std::string& quoted_column) {
  if (!is_time(type)) return parse_integer_start(start_at, type, quoted_column);
  const char* raw = start_at.c_str();
  Datum parsed = 0;
  if (auto failure = pg::try_in_subtransaction([&] {
        parsed = pg::call([raw] {
          return DirectFunctionCall3(timestamp_in, CStringGetDatum(raw),
                                     ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
        });
      }))
    throw Error(sqlstate::invalid_parameter_value,
                "start_at \"" + start_at + "\" is not a timestamp", failure->message);
  Timestamp start = DatumGetTimestamp(parsed);
  if (TIMESTAMP_NOT_FINITE(start))
    throw Error(sqlstate::invalid_parameter_value,
                "start_at must be a finite timestamp, not \"" + start_at + "\"");
  return start;
}

Key key_of(Datum value, ControlType type, const std::string& time_zone) {
  switch (type) {
    case ControlType::int4:
      return DatumGetInt32(value);
    case ControlType::int8:
      return DatumGetInt64(value);
    case ControlType::date: {
      DateADT date = DatumGetDateADT(value);
      if (DATE_IS_NOBEGIN(date)) return key_min;
      if (DATE_IS_NOEND(date)) return key_max;
      Key key = static_cast<Key>(date) * micros_per_day;  // |date| < 2^31: no overflow
      if (!in_time_range(key))
        throw Error(datetime_field_overflow,
                    "date out of the range pgdb_tools partitions by (4714 BC to 294276 AD)");
      return key;
    }
    case ControlType::timestamp: {
      Timestamp timestamp = DatumGetTimestamp(value);
      if (TIMESTAMP_IS_NOBEGIN(timestamp)) return key_min;
      if (TIMESTAMP_IS_NOEND(timestamp)) return key_max;
      return timestamp;
    }
    case ControlType::timestamptz:
      break;
  }
  if (TIMESTAMP_IS_NOBEGIN(DatumGetTimestampTz(value))) return key_min;
  if (TIMESTAMP_IS_NOEND(DatumGetTimestampTz(value))) return key_max;
  Datum zone = pg::string_to_text(time_zone);
  return DatumGetTimestamp(
      pg::call([zone, value] { return DirectFunctionCall2(timestamptz_zone, zone, value); }));
}

namespace {

// The partition's bound as pg_class.relpartbound stores it; nullptr when it has none.
PartitionBoundSpec* bound_spec(Oid child) {
  std::string bound_text;
  {
    pg::CatalogRow row(RELOID, child);
    if (!row) return nullptr;
    std::optional<Datum> bound = row.column(Anum_pg_class_relpartbound);
    if (!bound) return nullptr;
    bound_text = pg::text_to_string(*bound);
  }
  const char* raw = bound_text.c_str();
  return static_cast<PartitionBoundSpec*>(pg::call([raw] { return stringToNode(raw); }));
}

}  // namespace

StoredBound stored_bound(Oid child, ControlType type, const std::string& time_zone) {
  PartitionBoundSpec* spec = bound_spec(child);
  if (spec == nullptr)
    throw Error(sqlstate::object_not_in_prerequisite_state,
                "relation " + std::to_string(child) + " has no partition bound");
  if (spec->is_default) return {true, 0, 0};
  auto key_of_datum = [&](List* datums) {
    auto* datum = static_cast<PartitionRangeDatum*>(linitial(datums));
    if (datum->kind == PARTITION_RANGE_DATUM_MINVALUE) return key_min;
    if (datum->kind == PARTITION_RANGE_DATUM_MAXVALUE) return key_max;
    return key_of(reinterpret_cast<Const*>(datum->value)->constvalue, type, time_zone);
  };
  return {false, key_of_datum(spec->lowerdatums), key_of_datum(spec->upperdatums)};
}

std::optional<std::int64_t> raw_lower_bound(Oid child) {
  PartitionBoundSpec* spec = bound_spec(child);
  if (spec == nullptr || spec->is_default || spec->strategy != PARTITION_STRATEGY_RANGE)
    return std::nullopt;
  auto* datum = static_cast<PartitionRangeDatum*>(linitial(spec->lowerdatums));
  if (datum->kind != PARTITION_RANGE_DATUM_VALUE) return std::nullopt;
  auto* value = reinterpret_cast<Const*>(datum->value);
  switch (value->consttype) {
    case INT4OID:
    case DATEOID:
      return DatumGetInt32(value->constvalue);
    case INT8OID:
    case TIMESTAMPOID:
    case TIMESTAMPTZOID:
      return DatumGetInt64(value->constvalue);
    default:
      return std::nullopt;
  }
}

}  // namespace pgdb::partitions
