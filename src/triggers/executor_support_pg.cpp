#include "triggers/executor_support.hpp"

#include <array>
#include <limits>
#include <utility>

#include "core/error.hpp"
#include "core/text.hpp"
#include "pg/catalog.hpp"
#include "pg/datum.hpp"
#include "pg/guard.hpp"
#include "pg/quote.hpp"

extern "C" {
#include "access/tupmacs.h"
#include "catalog/pg_trigger.h"
#include "utils/inval.h"
}

namespace pgdb::triggers {

namespace {

// Registered at load time (static caches), read by the invalidation callback.
std::array<CacheBase*, 16> caches{};
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

namespace {

// "BEFORE INSERT OR UPDATE FOR EACH ROW", as the trigger is declared.
std::string declared_as(int16 type) {
  std::string text = TRIGGER_FOR_BEFORE(type)    ? "BEFORE "
                     : TRIGGER_FOR_INSTEAD(type) ? "INSTEAD OF "
                                                 : "AFTER ";
  std::string events;
  for (auto [bit, name] :
       {std::pair{TRIGGER_TYPE_INSERT, "INSERT"}, std::pair{TRIGGER_TYPE_UPDATE, "UPDATE"},
        std::pair{TRIGGER_TYPE_DELETE, "DELETE"}, std::pair{TRIGGER_TYPE_TRUNCATE, "TRUNCATE"}}) {
    if (type & bit) events += (events.empty() ? "" : " OR ") + std::string(name);
  }
  return text + events + (TRIGGER_FOR_ROW(type) ? " FOR EACH ROW" : " FOR EACH STATEMENT");
}

}  // namespace

TriggerData* before_row_trigger(FunctionCallInfo fcinfo, const char* function, int events) {
  TriggerData* data = trigger_data(fcinfo, function);
  int16 type = data->tg_trigger->tgtype;
  if (TRIGGER_FOR_ROW(type) && TRIGGER_FOR_BEFORE(type) &&
      (type & TRIGGER_TYPE_EVENT_MASK & ~events) == 0)
    return data;
  throw Error("39P01",
              std::string(function) + "() must be fired " +
                  declared_as(static_cast<int16>(TRIGGER_TYPE_ROW | TRIGGER_TYPE_BEFORE | events)),
              "Trigger " + trigger_name(data) + " on table " + relation_name(data->tg_relation) +
                  " is declared " + declared_as(type) + ".",
              "Create it with its pgdb_tools kind function or apply_triggers().");
}

void require_arg_count(const TriggerData* data, const char* function, int min, int max) {
  int count = data->tg_trigger->tgnargs;
  if (count >= min && count <= max) return;
  std::string expected = min == max ? std::to_string(min)
                         : max == std::numeric_limits<int>::max()
                             ? "at least " + std::to_string(min)
                             : std::to_string(min) + " to " + std::to_string(max);
  throw Error(sqlstate::invalid_parameter_value,
              "trigger " + trigger_name(data) + " on table " + relation_name(data->tg_relation) +
                  " passes " + std::to_string(count) + (count == 1 ? " argument" : " arguments") +
                  " to " + function + "(), which takes " + expected,
              {}, "Create it with its pgdb_tools kind function or apply_triggers().");
}

const char* event_name(TriggerEvent event) {
  if (TRIGGER_FIRED_BY_INSERT(event)) return "INSERT";
  if (TRIGGER_FIRED_BY_UPDATE(event)) return "UPDATE";
  if (TRIGGER_FIRED_BY_DELETE(event)) return "DELETE";
  if (TRIGGER_FIRED_BY_TRUNCATE(event)) return "TRUNCATE";
  return "?";
}

std::string relation_name(Relation relation) {
  return pg::quote_identifier(pg::schema_name(RelationGetNamespace(relation)).value_or("?")) + "." +
         pg::quote_identifier(RelationGetRelationName(relation));
}

std::string trigger_name(const TriggerData* data) {
  return pg::quote_identifier(data->tg_trigger->tgname);
}

ErrorObjects refusal_objects(const TriggerData* data, int attnum) {
  Relation relation = data->tg_relation;
  ErrorObjects objects{pg::schema_name(RelationGetNamespace(relation)).value_or(""),
                       RelationGetRelationName(relation),
                       {},
                       data->tg_trigger->tgname};
  if (attnum > 0)
    objects.column = NameStr(TupleDescAttr(RelationGetDescr(relation), attnum - 1)->attname);
  return objects;
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
    throw Error(sqlstate::invalid_parameter_value,
                "trigger " + trigger_name(data) + " on table " + relation_name(data->tg_relation) +
                    " has " + std::to_string(trigger->tgnargs) + " arguments, expected more",
                {}, "Re-create it with its pgdb_tools kind function or apply_triggers().");
  return trigger->tgargs[n];
}

void bad_trigger_arg(const TriggerData* data, int n, const std::string& problem) {
  throw Error(sqlstate::invalid_parameter_value,
              "argument " + std::to_string(n + 1) + " of trigger " + trigger_name(data) +
                  " on table " + relation_name(data->tg_relation) + " is invalid: " + problem,
              {}, "Re-create it with its pgdb_tools kind function or apply_triggers().");
}

int column_number(const TriggerData* data, const char* column) {
  TupleDesc desc = RelationGetDescr(data->tg_relation);
  int attnum = SPI_fnumber(desc, column);  // never raises
  // SPI_fnumber also finds system columns (negative numbers): never the executors' to use.
  if (attnum <= 0 || TupleDescAttr(desc, attnum - 1)->attisdropped)
    throw Error(sqlstate::undefined_column,
                "column \"" + std::string(column) + "\" of table " +
                    relation_name(data->tg_relation) + " does not exist",
                "Trigger " + trigger_name(data) + " uses that column.",
                "Re-create the trigger for an existing column.");
  return attnum;
}

int checked_column(const TriggerData* data, const char* column, std::initializer_list<Oid> types,
                   const char* expected, bool written) {
  int attnum = column_number(data, column);
  Form_pg_attribute attribute = TupleDescAttr(RelationGetDescr(data->tg_relation), attnum - 1);
  bool accepted = types.size() == 0;
  for (Oid type : types) accepted = accepted || attribute->atttypid == type;
  if (!accepted) {
    throw Error("42804",
                "column \"" + std::string(column) + "\" of table " +
                    relation_name(data->tg_relation) + " is of type " +
                    pg::type_name(attribute->atttypid) + ", not " + expected,
                "Trigger " + trigger_name(data) + " uses that column.",
                "Change the column back or re-create the trigger for a column of type " +
                    std::string(expected) + ".");
  }
  if (written && attribute->attgenerated != '\0')
    throw Error("428C9",
                "column \"" + std::string(column) + "\" of table " +
                    relation_name(data->tg_relation) + " is a generated column",
                "Trigger " + trigger_name(data) +
                    " writes that column, and PostgreSQL recomputes generated columns after "
                    "BEFORE triggers.",
                "Drop the trigger or the column's generation expression.");
  return attnum;
}

void CheckedShape::use(TupleDesc desc, int attnum) {
  Form_pg_attribute attribute = TupleDescAttr(desc, attnum - 1);
  columns.push_back({attnum, attribute->atttypid, attribute->atttypmod});
}

bool CheckedShape::matches(TupleDesc desc) const noexcept {
  if (desc->natts != natts) return false;
  for (const UsedColumn& column : columns) {
    Form_pg_attribute attribute = TupleDescAttr(desc, column.attnum - 1);
    if (attribute->attisdropped || attribute->atttypid != column.type ||
        attribute->atttypmod != column.typmod)
      return false;
  }
  return true;
}

std::string value_text(Datum value, bool is_null, Oid type) {
  if (is_null) return "NULL";
  std::string text = pg::output_text(value, type);
  std::string_view shown = utf8_prefix(text, 100);
  return pg::quote_literal(shown) + (shown.size() < text.size() ? "..." : "");
}

HeapTuple reformed_with(HeapTuple row, TupleDesc desc, int attnum, Datum value) {
  bool is_null = false;
  return pg::call(
      [&] { return heap_modify_tuple_by_cols(row, desc, 1, &attnum, &value, &is_null); });
}

HeapTuple with_attribute(HeapTuple row, TupleDesc desc, int attnum, Datum value) {
  long offset = attribute_offset(row, desc, attnum);
  if (offset < 0) return reformed_with(row, desc, attnum, value);
  HeapTuple copy = pg::call([row] { return heap_copytuple(row); });
  char* data = reinterpret_cast<char*>(copy->t_data) + copy->t_data->t_hoff;
  store_att_byval(data + offset, value, TupleDescAttr(desc, attnum - 1)->attlen);
  return copy;
}

}  // namespace pgdb::triggers
