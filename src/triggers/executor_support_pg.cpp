#include "triggers/executor_support.hpp"

#include <array>

#include "core/error.hpp"
#include "core/text.hpp"
#include "pg/guard.hpp"
#include "pg/quote.hpp"

extern "C" {
#include "access/tupmacs.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
}

namespace pgdb::triggers {

namespace {

// Registered at load time (static caches), read by the invalidation callback.
std::array<CacheBase*, 8> caches{};
std::size_t cache_count = 0;

void forget_relation(Datum, Oid relid) {
  // Runs inside PostgreSQL's invalidation processing: erase only, never allocate.
  for (std::size_t i = 0; i < cache_count; ++i) caches[i]->forget(relid);
}

// Where attribute attnum (1-based) of tuple starts in its data area, or -1 when it is NULL or
// missing from the tuple. Walks the attributes before it as heap_deform_tuple does, without
// extracting them.
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

}  // namespace

CacheBase::CacheBase() {
  if (cache_count < caches.size()) caches[cache_count++] = this;
}

void register_cache_invalidation() { CacheRegisterRelcacheCallback(forget_relation, Datum(0)); }

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

std::string trigger_name(const TriggerData* data) {
  return pg::quote_identifier(data->tg_trigger->tgname);
}

std::string ignore_hint(const TriggerData* data) {
  return "To allow it for the rest of this transaction only: SELECT pgdb_tools.ignore(" +
         pg::quote_literal(data->tg_trigger->tgname) + ");";
}

Datum unchanged_row(const TriggerData* data) {
  if (!TRIGGER_FIRED_FOR_ROW(data->tg_event)) return PointerGetDatum(nullptr);
  return PointerGetDatum(written_row(data));
}

HeapTuple written_row(const TriggerData* data) {
  return TRIGGER_FIRED_BY_UPDATE(data->tg_event) ? data->tg_newtuple : data->tg_trigtuple;
}

const char* trigger_arg(const TriggerData* data, int n) {
  const Trigger* trigger = data->tg_trigger;
  if (n >= trigger->tgnargs)
    throw Error(sqlstate::object_not_in_prerequisite_state,
                "trigger " + trigger_name(data) + " on table " + relation_name(data->tg_relation) +
                    " has " + std::to_string(trigger->tgnargs) + " arguments, expected more",
                {}, "Re-create it with its pgdb_tools kind function or apply_triggers().");
  return trigger->tgargs[n];
}

int column_number(const TriggerData* data, const char* column) {
  int attnum = SPI_fnumber(RelationGetDescr(data->tg_relation), column);  // never raises
  if (attnum <= 0)
    throw Error(sqlstate::undefined_column,
                "column \"" + std::string(column) + "\" of table " +
                    relation_name(data->tg_relation) + " does not exist",
                "Trigger " + trigger_name(data) + " uses that column.",
                "Re-create the trigger for an existing column.");
  return attnum;
}

std::string output_text(Datum value, Oid type) {
  Oid output = InvalidOid;
  bool is_varlena = false;
  pg::call([&] { getTypeOutputInfo(type, &output, &is_varlena); });
  return pg::call([output, value] { return OidOutputFunctionCall(output, value); });
}

std::string value_text(Datum value, bool is_null, Oid type) {
  if (is_null) return "NULL";
  std::string text = output_text(value, type);
  std::string_view shown = utf8_prefix(text, 100);
  return pg::quote_literal(shown) + (shown.size() < text.size() ? "..." : "");
}

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

}  // namespace pgdb::triggers
