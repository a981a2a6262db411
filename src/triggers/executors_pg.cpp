// The native trigger functions of the managed kinds, one file per concern: here protect,
// updated_at and row_version, and the executors' set-up; read_only and fsm in check_kinds_pg.cpp,
// search_vector_pg.cpp, soft_delete_pg.cpp and dispatch_pg.cpp (manage_trigger). Each reads its
// configuration from the trigger's arguments and keeps per-trigger metadata in a ConfigCache, so a
// row costs no catalog lookup; only soft_delete writes through SPI, with a prepared plan kept per
// trigger.
//
// Triggers can be attached by hand with any arguments, and the columns they use can be renamed,
// dropped or retyped after they were created: every executor checks how it is declared (timing,
// level, events), its arguments and the current types of its columns before it trusts them, and
// the cached result is only used while the relation's descriptor still has those types.
#include <cstdint>
#include <memory>

#include "core/error.hpp"
#include "pg/guard.hpp"
#include "pg/quote.hpp"
#include "triggers/bypass.hpp"
#include "triggers/executor_support.hpp"
#include "triggers/executors.hpp"

extern "C" {
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "pgtime.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/timestamp.h"
}

namespace pgdb::triggers {

namespace {

struct TimestampColumn {
  Oid relid;
  CheckedShape shape;
  int attnum;
  Oid type;
  int32 typmod;  // timestamp(p): the value is rounded to p fractional digits
  // The value for the current transaction start and session time zone, computed once.
  TimestampTz computed_for;
  pg_tz* computed_in;
  Datum value;
};
ConfigCache<TimestampColumn> timestamp_columns;

std::shared_ptr<TimestampColumn> timestamp_column(TriggerData* data) {
  TupleDesc desc = RelationGetDescr(data->tg_relation);
  if (auto found = timestamp_columns.find(data->tg_trigger->tgoid, desc)) return found;
  require_arg_count(data, "_trigger_updated_at", 1, 1);
  int attnum = checked_column(data, trigger_arg(data, 0), {TIMESTAMPTZOID, TIMESTAMPOID, DATEOID},
                              "timestamp with time zone, timestamp or date", true);
  Form_pg_attribute attribute = TupleDescAttr(desc, attnum - 1);
  auto column = std::make_shared<TimestampColumn>(
      TimestampColumn{RelationGetRelid(data->tg_relation), CheckedShape(desc), attnum,
                      attribute->atttypid, attribute->atttypmod, 0, nullptr, 0});
  column->shape.use(desc, attnum);
  return timestamp_columns.add(data->tg_trigger->tgoid, column);
}

Datum transaction_timestamp_as(TimestampColumn& column) {
  TimestampTz now = GetCurrentTransactionStartTimestamp();
  if (column.computed_in == session_timezone && column.computed_for == now) return column.value;
  Datum value = TimestampTzGetDatum(now);
  int32 typmod = column.typmod;
  if (column.type == TIMESTAMPOID) {
    value = pg::call([value] { return DirectFunctionCall1(timestamptz_timestamp, value); });
    if (typmod >= 0)
      value = pg::call([value, typmod] {
        return DirectFunctionCall2(timestamp_scale, value, Int32GetDatum(typmod));
      });
  } else if (column.type == TIMESTAMPTZOID && typmod >= 0) {
    value = pg::call([value, typmod] {
      return DirectFunctionCall2(timestamptz_scale, value, Int32GetDatum(typmod));
    });
  } else if (column.type == DATEOID) {
    value = pg::call([value] { return DirectFunctionCall1(timestamptz_date, value); });
  }
  column.computed_for = now;
  column.computed_in = session_timezone;
  column.value = value;  // timestamps and dates are passed by value: safe to keep
  return value;
}

// row_version: the counter column.
struct VersionColumn {
  Oid relid;
  CheckedShape shape;
  int attnum;
  Oid type;
  bool check_stale;
};
ConfigCache<VersionColumn> version_columns;

std::shared_ptr<VersionColumn> version_column(TriggerData* data) {
  TupleDesc desc = RelationGetDescr(data->tg_relation);
  if (auto found = version_columns.find(data->tg_trigger->tgoid, desc)) return found;
  require_arg_count(data, "_trigger_row_version", 2, 2);
  int attnum = checked_column(data, trigger_arg(data, 0), {INT2OID, INT4OID, INT8OID},
                              "smallint, integer or bigint", true);
  std::string check = trigger_arg(data, 1);
  if (check != "check_stale" && check != "no_check")
    bad_trigger_arg(data, 1, "\"" + check + "\" is neither \"check_stale\" nor \"no_check\"");
  auto column = std::make_shared<VersionColumn>(
      VersionColumn{RelationGetRelid(data->tg_relation), CheckedShape(desc), attnum,
                    TupleDescAttr(desc, attnum - 1)->atttypid, check == "check_stale"});
  column->shape.use(desc, attnum);
  return version_columns.add(data->tg_trigger->tgoid, column);
}

std::int64_t as_int64(Datum value, Oid type) {
  switch (type) {
    case INT2OID:
      return DatumGetInt16(value);
    case INT4OID:
      return DatumGetInt32(value);
    default:
      return DatumGetInt64(value);
  }
}

Datum next_version(const VersionColumn& column, std::int64_t current, const TriggerData* data) {
  std::int64_t limit = column.type == INT2OID   ? PG_INT16_MAX
                       : column.type == INT4OID ? PG_INT32_MAX
                                                : PG_INT64_MAX;
  if (current >= limit)
    throw Error(
        "22003", "row version of table " + relation_name(data->tg_relation) + " is out of range",
        "Trigger " + trigger_name(data) + " cannot increment " + std::to_string(current) + ".");
  switch (column.type) {
    case INT2OID:
      return Int16GetDatum(static_cast<int16>(current + 1));
    case INT4OID:
      return Int32GetDatum(static_cast<int32>(current + 1));
    default:
      return Int64GetDatum(current + 1);
  }
}

}  // namespace

void init_executors() {
  register_cache_invalidation();
  register_soft_delete_invalidation();
  register_dispatch_invalidation();
  register_search_vector_invalidation();
}

}  // namespace pgdb::triggers

using namespace pgdb;
using namespace pgdb::triggers;

// _trigger_protect(message): refuses the operation it fires for.
PGDB_FUNCTION(pgdb_tools_trigger_protect) {
  TriggerData* data = trigger_data(fcinfo, "_trigger_protect");
  if (!TRIGGER_FOR_BEFORE(data->tg_trigger->tgtype))
    throw Error("39P01", "_trigger_protect() must be fired BEFORE the operation", {},
                "Trigger " + trigger_name(data) + " on table " + relation_name(data->tg_relation) +
                    " fires after it, when refusing it would come too late.");
  require_arg_count(data, "_trigger_protect", 0, 1);
  if (bypassed(data)) return unchanged_row(data);
  std::string fact = "trigger " + trigger_name(data) + " forbids " + event_name(data->tg_event) +
                     " on table " + relation_name(data->tg_relation);
  const char* message = data->tg_trigger->tgnargs > 0 ? data->tg_trigger->tgargs[0] : "";
  if (message[0] != '\0')
    throw Error(protect_sqlstate, message, fact + ".", ignore_hint(data))
        .about(refusal_objects(data));
  throw Error(protect_sqlstate, fact, {}, ignore_hint(data)).about(refusal_objects(data));
}

// _trigger_updated_at(column): sets the column to the transaction's start time.
PGDB_FUNCTION(pgdb_tools_trigger_updated_at) {
  TriggerData* data =
      before_row_trigger(fcinfo, "_trigger_updated_at", TRIGGER_TYPE_INSERT | TRIGGER_TYPE_UPDATE);
  if (bypassed(data)) return unchanged_row(data);
  std::shared_ptr<TimestampColumn> column = timestamp_column(data);
  Datum value = transaction_timestamp_as(*column);
  return PointerGetDatum(with_attribute(written_row(data), RelationGetDescr(data->tg_relation),
                                        column->attnum, value));
}

// _trigger_row_version(column, check_stale|no_check): increments the version on every UPDATE and,
// checking staleness, refuses an UPDATE whose version is not the stored one.
PGDB_FUNCTION(pgdb_tools_trigger_row_version) {
  TriggerData* data = before_row_trigger(fcinfo, "_trigger_row_version", TRIGGER_TYPE_UPDATE);
  if (bypassed(data)) return unchanged_row(data);
  const VersionColumn column = *version_column(data);
  TupleDesc desc = RelationGetDescr(data->tg_relation);
  bool old_null = false;
  bool new_null = false;
  Datum old_value = heap_getattr(data->tg_trigtuple, column.attnum, desc, &old_null);
  Datum new_value = heap_getattr(data->tg_newtuple, column.attnum, desc, &new_null);
  std::int64_t stored = old_null ? 0 : as_int64(old_value, column.type);
  if (column.check_stale &&
      (old_null != new_null || (!old_null && stored != as_int64(new_value, column.type)))) {
    std::string name =
        pg::quote_identifier(NameStr(TupleDescAttr(desc, column.attnum - 1)->attname));
    throw Error(sqlstate::serialization_failure,
                "row of table " + relation_name(data->tg_relation) +
                    " was changed by another transaction since it was read",
                "Trigger " + trigger_name(data) + ": the UPDATE sets " + name + " to " +
                    value_text(new_value, new_null, column.type) + " but the stored version is " +
                    value_text(old_value, old_null, column.type) + ".",
                "Re-read the row (an ORM object after its save: reload it, e.g. Django's "
                "refresh_from_db()) and apply the change to its current version. " +
                    ignore_hint(data))
        .about(refusal_objects(data, column.attnum));
  }
  return PointerGetDatum(
      with_attribute(data->tg_newtuple, desc, column.attnum, next_version(column, stored, data)));
}
