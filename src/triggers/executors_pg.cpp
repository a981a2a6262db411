// The native trigger functions that managed triggers call. Each reads its configuration from the
// trigger's arguments and keeps per-trigger metadata (column numbers, types) in a cache that
// relcache invalidation clears, so a row costs no catalog lookup and no SPI call.
#include <unordered_map>

#include "core/error.hpp"
#include "pg/guard.hpp"
#include "pg/quote.hpp"
#include "triggers/bypass.hpp"
#include "triggers/executors.hpp"

extern "C" {
#include "access/htup_details.h"
#include "access/tupmacs.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "pgtime.h"
#include "utils/date.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/timestamp.h"
}

namespace pgdb::triggers {

namespace {

// Per trigger (its OID: each partition's clone has its own) of one relation.
struct TimestampColumn {
  Oid relid;
  int attnum;
  Oid type;
  // The value for the current transaction start and session time zone, computed once.
  TimestampTz computed_for;
  pg_tz* computed_in;
  Datum value;
};

std::unordered_map<Oid, TimestampColumn> timestamp_columns;

void forget_relation(Datum, Oid relid) {
  // Runs inside PostgreSQL's invalidation processing: erase only, never allocate.
  for (auto it = timestamp_columns.begin(); it != timestamp_columns.end();) {
    if (relid == InvalidOid || it->second.relid == relid) {
      it = timestamp_columns.erase(it);
    } else {
      ++it;
    }
  }
}

TriggerData* trigger_data(FunctionCallInfo fcinfo, const char* function) {
  if (!CALLED_AS_TRIGGER(fcinfo))
    throw Error("39P01", std::string(function) + "() was not called by the trigger manager", {},
                "It is a trigger function: pgdb_tools creates the triggers that call it.");
  return reinterpret_cast<TriggerData*>(fcinfo->context);
}

TriggerData* before_row_trigger(FunctionCallInfo fcinfo, const char* function) {
  TriggerData* data = trigger_data(fcinfo, function);
  if (!TRIGGER_FIRED_FOR_ROW(data->tg_event) || !TRIGGER_FIRED_BEFORE(data->tg_event))
    throw Error("39P01", std::string(function) + "() must be fired BEFORE ... FOR EACH ROW");
  return data;
}

const char* event_name(TriggerEvent event) {
  if (TRIGGER_FIRED_BY_INSERT(event)) return "INSERT";
  if (TRIGGER_FIRED_BY_UPDATE(event)) return "UPDATE";
  if (TRIGGER_FIRED_BY_DELETE(event)) return "DELETE";
  if (TRIGGER_FIRED_BY_TRUNCATE(event)) return "TRUNCATE";
  return "?";
}

std::string relation_name(Relation relation) {
  Oid namespace_oid = RelationGetNamespace(relation);
  char* schema = pg::call([namespace_oid] { return get_namespace_name(namespace_oid); });
  return pg::quote_identifier(schema ? schema : "?") + "." +
         pg::quote_identifier(RelationGetRelationName(relation));
}

// The row a BEFORE row trigger lets through unchanged; NULL for statement-level triggers.
Datum unchanged_row(TriggerData* data) {
  if (!TRIGGER_FIRED_FOR_ROW(data->tg_event)) return PointerGetDatum(nullptr);
  return PointerGetDatum(TRIGGER_FIRED_BY_UPDATE(data->tg_event) ? data->tg_newtuple
                                                                 : data->tg_trigtuple);
}

TimestampColumn& timestamp_column(TriggerData* data) {
  Trigger* trigger = data->tg_trigger;
  auto found = timestamp_columns.find(trigger->tgoid);
  if (found != timestamp_columns.end()) return found->second;
  if (trigger->tgnargs < 1)
    throw Error(sqlstate::object_not_in_prerequisite_state,
                "trigger \"" + std::string(trigger->tgname) + "\" has no column argument", {},
                "Create it with pgdb_tools.updated_at().");
  const char* column = trigger->tgargs[0];
  TupleDesc desc = RelationGetDescr(data->tg_relation);
  int attnum = SPI_fnumber(desc, column);  // a plain search of the descriptor: never raises
  if (attnum <= 0)
    throw Error(sqlstate::undefined_column,
                "column \"" + std::string(column) + "\" of table " +
                    relation_name(data->tg_relation) + " does not exist",
                "Trigger \"" + std::string(trigger->tgname) + "\" sets that column.",
                "Re-create the trigger with pgdb_tools.updated_at() for an existing column.");
  Oid type = TupleDescAttr(desc, attnum - 1)->atttypid;
  if (type != TIMESTAMPTZOID && type != TIMESTAMPOID && type != DATEOID)
    throw Error("42804", "column \"" + std::string(column) + "\" of table " +
                             relation_name(data->tg_relation) +
                             " is not a timestamp, timestamptz or date column");
  TimestampColumn entry{RelationGetRelid(data->tg_relation), attnum, type, 0, nullptr, 0};
  return timestamp_columns.emplace(trigger->tgoid, entry).first->second;
}

Datum transaction_timestamp_as(TimestampColumn& column) {
  TimestampTz now = GetCurrentTransactionStartTimestamp();
  if (column.computed_in == session_timezone && column.computed_for == now) return column.value;
  Datum value = TimestampTzGetDatum(now);
  if (column.type == TIMESTAMPOID) {
    value = pg::call([value] { return DirectFunctionCall1(timestamptz_timestamp, value); });
  } else if (column.type == DATEOID) {
    value = pg::call([value] { return DirectFunctionCall1(timestamptz_date, value); });
  }
  column.computed_for = now;
  column.computed_in = session_timezone;
  column.value = value;  // timestamps and dates are passed by value: safe to keep
  return value;
}

// Where attribute attnum (1-based) of tuple starts in its data area, or -1 when it is NULL or
// missing from the tuple (added by ALTER TABLE after the row was written). Walks the attributes
// before it the way heap_deform_tuple does, without extracting them.
long attribute_offset(HeapTuple tuple, TupleDesc desc, int attnum) {
  HeapTupleHeader header = tuple->t_data;
  if (attnum > HeapTupleHeaderGetNatts(header)) return -1;
  bool has_nulls = HeapTupleHasNulls(tuple);
  bits8* null_bits = header->t_bits;
  if (has_nulls && att_isnull(attnum - 1, null_bits)) return -1;
  char* data = reinterpret_cast<char*>(header) + header->t_hoff;
  long offset = 0;
  for (int i = 0; i < attnum; ++i) {
    Form_pg_attribute attribute = TupleDescAttr(desc, i);
    if (has_nulls && att_isnull(i, null_bits)) continue;
    if (attribute->attlen == -1) {
      offset = att_align_pointer(offset, attribute->attalign, -1, data + offset);
    } else {
      offset = att_align_nominal(offset, attribute->attalign);
    }
    if (i == attnum - 1) return offset;
    offset = att_addlength_pointer(offset, attribute->attlen, data + offset);
  }
  return -1;
}

// The row with one fixed-width, pass-by-value attribute replaced. When the attribute is present
// and not NULL, the new value has the same size and place: copy the tuple and overwrite it,
// instead of deforming and re-forming every attribute.
HeapTuple with_attribute(HeapTuple row, TupleDesc desc, int attnum, Datum value) {
  long offset = attribute_offset(row, desc, attnum);
  if (offset < 0) {
    bool is_null = false;
    return pg::call(
        [&] { return heap_modify_tuple_by_cols(row, desc, 1, &attnum, &value, &is_null); });
  }
  HeapTuple copy = pg::call([row] { return heap_copytuple(row); });
  char* data = reinterpret_cast<char*>(copy->t_data) + copy->t_data->t_hoff;
  store_att_byval(data + offset, value, TupleDescAttr(desc, attnum - 1)->attlen);
  return copy;
}

}  // namespace

void init_executors() { CacheRegisterRelcacheCallback(forget_relation, Datum(0)); }

}  // namespace pgdb::triggers

using namespace pgdb;
using namespace pgdb::triggers;

// _trigger_protect(message): refuses the operation it fires for.
PGDB_FUNCTION(pgdb_tools_trigger_protect) {
  TriggerData* data = trigger_data(fcinfo, "_trigger_protect");
  if (!TRIGGER_FIRED_BEFORE(data->tg_event))
    throw Error("39P01", "_trigger_protect() must be fired BEFORE the operation");
  if (bypassed(data)) return unchanged_row(data);
  Trigger* trigger = data->tg_trigger;
  std::string fact = "trigger " + pg::quote_identifier(trigger->tgname) + " forbids " +
                     event_name(data->tg_event) + " on table " + relation_name(data->tg_relation);
  const char* message = trigger->tgnargs > 0 ? trigger->tgargs[0] : "";
  std::string hint =
      "To allow it for the rest of this transaction only: SELECT pgdb_tools.ignore(" +
      pg::quote_literal(trigger->tgname) + ");";
  if (message[0] != '\0') throw Error(protect_sqlstate, message, fact + ".", hint);
  throw Error(protect_sqlstate, fact, {}, hint);
}

// _trigger_updated_at(column): sets the column to the transaction's start time.
PGDB_FUNCTION(pgdb_tools_trigger_updated_at) {
  TriggerData* data = before_row_trigger(fcinfo, "_trigger_updated_at");
  if (TRIGGER_FIRED_BY_DELETE(data->tg_event) || bypassed(data)) return unchanged_row(data);
  TimestampColumn& column = timestamp_column(data);
  Datum value = transaction_timestamp_as(column);
  HeapTuple row = TRIGGER_FIRED_BY_UPDATE(data->tg_event) ? data->tg_newtuple : data->tg_trigtuple;
  return PointerGetDatum(
      with_attribute(row, RelationGetDescr(data->tg_relation), column.attnum, value));
}
