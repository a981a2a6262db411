// What the native trigger functions share: checking how they were fired, naming things in errors,
// finding columns, replacing a value in a row, and per-trigger metadata caches that relcache
// invalidation keeps fresh.
#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/error.hpp"
#include "pg/guard.hpp"

extern "C" {
#include "access/htup_details.h"
#include "commands/trigger.h"
#include "utils/datum.h"
#include "utils/rel.h"
}

namespace pgdb::triggers {

// The trigger data; 39P01 unless called by the trigger manager.
TriggerData* trigger_data(FunctionCallInfo fcinfo, const char* function);

// The trigger data; 39P01 unless the trigger is declared BEFORE ... FOR EACH ROW with no events
// but `events` (TRIGGER_TYPE_INSERT | TRIGGER_TYPE_UPDATE ...): a trigger attached by hand AFTER,
// per statement or for an event the executor has no meaning for is refused whatever fired it.
TriggerData* before_row_trigger(FunctionCallInfo fcinfo, const char* function, int events);

// 22023 unless the trigger passes between min and max arguments to function.
void require_arg_count(const TriggerData* data, const char* function, int min, int max);

const char* event_name(TriggerEvent event);

// "schema"."table" of the relation the trigger fired on.
std::string relation_name(Relation relation);

// The trigger's name, quoted as needed, for messages.
std::string trigger_name(const TriggerData* data);

// What a refusal reports beside its message, as PostgreSQL's own constraint violations do: the
// table fired on (its schema and name), the column when attnum is one, and the trigger's name as
// the constraint's (psycopg: e.diag.constraint_name).
ErrorObjects refusal_objects(const TriggerData* data, int attnum = 0);

// The HINT every refusing trigger ends with.
std::string ignore_hint(const TriggerData* data);

// The row a BEFORE row trigger lets through unchanged; NULL for statement-level triggers.
Datum unchanged_row(const TriggerData* data);

// The row the operation writes: the new row of an UPDATE, the row of an INSERT.
HeapTuple written_row(const TriggerData* data);

// The trigger's argument n; 22023 naming the trigger when it has too few.
const char* trigger_arg(const TriggerData* data, int n);

// 22023 naming the trigger and argument n: the argument is not one the executor understands.
[[noreturn]] void bad_trigger_arg(const TriggerData* data, int n, const std::string& problem);

// The attribute number of column (exact name) in the relation; 42703 naming the trigger when the
// column no longer exists (dropped or renamed). 42804 unless its type is one of types (when given,
// described as `expected`); with written, 428C9 when it is a generated column, whose value the
// executor's write would not set.
int column_number(const TriggerData* data, const char* column);
int checked_column(const TriggerData* data, const char* column, std::initializer_list<Oid> types,
                   const char* expected, bool written);

// A column a cached configuration relies on, as the relation's descriptor had it when the
// configuration was checked.
struct UsedColumn {
  int attnum;
  Oid type;
  int32 typmod;
};

// What a cached configuration was checked against: the descriptor's width and the columns it
// uses.
struct CheckedShape {
  int natts;
  std::vector<UsedColumn> columns;

  explicit CheckedShape(TupleDesc desc) : natts(desc->natts) {}
  void use(TupleDesc desc, int attnum);
  // True while desc still has the same width and each used column its type: a few integer
  // comparisons per row, so a configuration never outlives the column types it was checked with,
  // even where no invalidation reached the cache.
  bool matches(TupleDesc desc) const noexcept;
};

// Whether two values of the attribute are the same (NULL only the same as NULL), compared as
// stored, as PostgreSQL decides whether an UPDATE changed a column. Inline: it runs per row.
inline bool same_value(Form_pg_attribute attribute, Datum a, bool a_null, Datum b, bool b_null) {
  if (a_null || b_null) return a_null == b_null;
  if (attribute->attbyval) return datumIsEqual(a, b, true, attribute->attlen);
  bool typbyval = attribute->attbyval;
  int typlen = attribute->attlen;
  return pg::call([=] { return datum_image_eq(a, b, typbyval, typlen); });
}

// Whether the UPDATE leaves column attnum as it was.
inline bool column_unchanged(const TriggerData* data, int attnum) {
  TupleDesc desc = RelationGetDescr(data->tg_relation);
  bool old_null = false;
  bool new_null = false;
  Datum old_value = heap_getattr(data->tg_trigtuple, attnum, desc, &old_null);
  Datum new_value = heap_getattr(data->tg_newtuple, attnum, desc, &new_null);
  return same_value(TupleDescAttr(desc, attnum - 1), old_value, old_null, new_value, new_null);
}

// A value as a quoted literal cut to a readable length (or NULL), for messages.
std::string value_text(Datum value, bool is_null, Oid type);

// A new row with attribute attnum set to the (non-NULL) value, formed again from the row's values.
HeapTuple reformed_with(HeapTuple row, TupleDesc desc, int attnum, Datum value);

// The row with one fixed-width, pass-by-value attribute replaced: copies the row and overwrites
// the value in place when it is present, otherwise re-forms the row.
HeapTuple with_attribute(HeapTuple row, TupleDesc desc, int attnum, Datum value);

// Registers the relcache callback that keeps every ConfigCache fresh; from init_executors().
void register_cache_invalidation();

// The invalidation callbacks of the executors with state beyond their ConfigCache (a
// configuration OID, a function, a kept plan); from init_executors().
void register_search_vector_invalidation();
void register_dispatch_invalidation();
void register_soft_delete_invalidation();

// Metadata per trigger OID (each partition's clone of a trigger has its own). Config has members
// `relid` and `shape` (CheckedShape); entries of a relation are dropped when its relcache entry is
// invalidated, and an entry whose shape no longer matches the relation is not found. The
// executors hold a shared_ptr for the whole call: PostgreSQL calls they make may process
// invalidations, which drop the entry from the cache but not from under them.
class CacheBase {
 public:
  CacheBase();
  virtual void forget(Oid relid) noexcept = 0;  // InvalidOid: everything

 protected:
  ~CacheBase() = default;
};

template <typename Config>
class ConfigCache final : public CacheBase {
 public:
  std::shared_ptr<Config> find(Oid trigger, TupleDesc desc) const {
    auto found = entries_.find(trigger);
    if (found == entries_.end() || !found->second->shape.matches(desc)) return nullptr;
    return found->second;
  }
  std::shared_ptr<Config> add(Oid trigger, std::shared_ptr<Config> config) {
    entries_.insert_or_assign(trigger, config);
    return config;
  }
  void forget(Oid relid) noexcept override {
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (relid == InvalidOid || it->second->relid == relid) {
        it = entries_.erase(it);
      } else {
        ++it;
      }
    }
  }

 private:
  std::unordered_map<Oid, std::shared_ptr<Config>> entries_;
};

}  // namespace pgdb::triggers
