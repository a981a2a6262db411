// The native trigger functions of the managed kinds. Each reads its configuration from the
// trigger's arguments and keeps per-trigger metadata in a ConfigCache, so a row costs no catalog
// lookup; only soft_delete writes through SPI, with a prepared plan kept per trigger.
//
// Triggers can be attached by hand with any arguments, and the columns they use can be renamed,
// dropped or retyped after they were created: every executor checks how it is declared (timing,
// level, events), its arguments and the current types of its columns before it trusts them, and
// the cached result is only used while the relation's descriptor still has those types.
#include <cstring>
#include <limits>
#include <map>
#include <set>
#include <vector>

#include "core/error.hpp"
#include "pg/compat.hpp"
#include "pg/datum.hpp"
#include "pg/guard.hpp"
#include "pg/jsonb.hpp"
#include "pg/quote.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"
#include "triggers/bypass.hpp"
#include "triggers/executor_support.hpp"
#include "triggers/executors.hpp"

extern "C" {
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "utils/syscache.h"
#include "utils/memutils.h"
#include "utils/inval.h"
#include "utils/acl.h"
#include "catalog/pg_language.h"
#include "catalog/pg_proc.h"
#include "pgtime.h"
#include "utils/date.h"
#include "utils/datum.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
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

// read_only: the attributes whose change is refused.
struct ReadOnlyColumns {
  Oid relid;
  CheckedShape shape;
  std::vector<int> attnums;
};
ConfigCache<ReadOnlyColumns> read_only_columns;

std::shared_ptr<ReadOnlyColumns> read_only_config(TriggerData* data) {
  TupleDesc desc = RelationGetDescr(data->tg_relation);
  if (auto found = read_only_columns.find(data->tg_trigger->tgoid, desc)) return found;
  require_arg_count(data, "_trigger_read_only", 1, std::numeric_limits<int>::max());
  std::string mode = trigger_arg(data, 0);
  if (mode != "only" && mode != "except")
    bad_trigger_arg(data, 0, "\"" + mode + "\" is neither \"only\" nor \"except\"");
  if (mode == "only" && data->tg_trigger->tgnargs < 2)
    bad_trigger_arg(data, 0, "\"only\" must be followed by at least one column");
  std::set<int> named;
  for (int i = 1; i < data->tg_trigger->tgnargs; ++i)
    named.insert(column_number(data, data->tg_trigger->tgargs[i]));
  ReadOnlyColumns config{RelationGetRelid(data->tg_relation), CheckedShape(desc), {}};
  if (mode == "only") {
    config.attnums.assign(named.begin(), named.end());
  } else {
    for (int i = 0; i < desc->natts; ++i) {
      Form_pg_attribute attribute = TupleDescAttr(desc, i);
      // Generated columns follow their inputs: only those inputs are the user's to change.
      if (attribute->attisdropped || attribute->attgenerated != '\0') continue;
      if (!named.count(i + 1)) config.attnums.push_back(i + 1);
    }
  }
  for (int attnum : config.attnums) config.shape.use(desc, attnum);
  return read_only_columns.add(data->tg_trigger->tgoid,
                               std::make_shared<ReadOnlyColumns>(std::move(config)));
}

bool same_value(Form_pg_attribute attribute, Datum a, bool a_null, Datum b, bool b_null) {
  if (a_null || b_null) return a_null == b_null;
  if (attribute->attbyval) return datumIsEqual(a, b, true, attribute->attlen);
  bool typbyval = attribute->attbyval;
  int typlen = attribute->attlen;
  return pg::call([=] { return datum_image_eq(a, b, typbyval, typlen); });
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

// fsm: the state column and the allowed moves.
struct StateMachine {
  Oid relid;
  CheckedShape shape;
  int attnum;
  Oid type;
  std::map<std::string, std::vector<std::string>, std::less<>> moves;
};
ConfigCache<StateMachine> state_machines;

std::shared_ptr<StateMachine> state_machine(TriggerData* data) {
  TupleDesc desc = RelationGetDescr(data->tg_relation);
  if (auto found = state_machines.find(data->tg_trigger->tgoid, desc)) return found;
  require_arg_count(data, "_trigger_fsm", 2, 2);
  int attnum = column_number(data, trigger_arg(data, 0));
  const char* transitions = trigger_arg(data, 1);
  Datum jsonb = pg::call(
      [transitions] { return DirectFunctionCall1(jsonb_in, CStringGetDatum(transitions)); });
  Json parsed = pg::jsonb_to_json(jsonb);
  if (parsed.type != Json::Type::object || parsed.members.empty())
    bad_trigger_arg(data, 1, "transitions must be a JSON object with at least one state");
  auto machine =
      std::make_shared<StateMachine>(StateMachine{RelationGetRelid(data->tg_relation),
                                                  CheckedShape(desc),
                                                  attnum,
                                                  TupleDescAttr(desc, attnum - 1)->atttypid,
                                                  {}});
  machine->shape.use(desc, attnum);
  for (const auto& [state, targets] : parsed.members) {
    if (targets.type != Json::Type::array)
      bad_trigger_arg(data, 1, "transitions[\"" + state + "\"] must be an array of states");
    std::vector<std::string>& allowed = machine->moves[state];
    for (const Json& target : targets.items) {
      if (target.type != Json::Type::string)
        bad_trigger_arg(data, 1, "transitions[\"" + state + "\"] must hold only strings");
      allowed.push_back(target.text);
    }
  }
  return state_machines.add(data->tg_trigger->tgoid, machine);
}

// A state as text. Text and varchar values are read in place (detoasted only when compressed or
// stored out of line); other types go through their output function into storage.
std::string_view state_name(Datum value, Oid type, std::string& storage) {
  if (type == BPCHAROID) {
    // char(n) pads with blanks that are not part of the state's name.
    storage = output_text(value, type);
    storage.erase(storage.find_last_not_of(' ') + 1);
    return storage;
  }
  if (type != TEXTOID && type != VARCHAROID) return storage = output_text(value, type);
  auto* raw = reinterpret_cast<varlena*>(DatumGetPointer(value));
  if (VARATT_IS_EXTERNAL(raw) || VARATT_IS_COMPRESSED(raw))
    raw = pg::call([raw] { return pg_detoast_datum_packed(raw); });
  return std::string_view(VARDATA_ANY(raw), VARSIZE_ANY_EXHDR(raw));
}

// Resolves a name written in a trigger argument with the trusted search_path, whatever the
// firing session's: kind functions write qualified names, and an unqualified one written by hand
// must not pick up an object someone planted earlier in that session's path.
Oid trusted_lookup(PGFunction input, const char* name) {
  pg::SearchPath trusted(pg::trusted_search_path);
  return pg::call([input, name] {
    return DatumGetObjectId(DirectFunctionCall1(input, CStringGetDatum(name)));
  });
}

// search_vector: the tsvector column, the configuration and the weighted sources.
struct SearchVector {
  Oid relid;
  CheckedShape shape;
  int target;
  Oid config;
  std::vector<std::pair<int, char>> sources;  // attribute number, weight
};
ConfigCache<SearchVector> search_vectors;

std::shared_ptr<SearchVector> search_vector(TriggerData* data) {
  TupleDesc desc = RelationGetDescr(data->tg_relation);
  if (auto found = search_vectors.find(data->tg_trigger->tgoid, desc)) return found;
  const char* function = "_trigger_search_vector";
  require_arg_count(data, function, 4, std::numeric_limits<int>::max());
  if (data->tg_trigger->tgnargs % 2 != 0)
    bad_trigger_arg(data, data->tg_trigger->tgnargs - 1,
                    "sources come in pairs of a column and a weight");
  int target = checked_column(data, trigger_arg(data, 0), {TSVECTOROID}, "tsvector", true);
  auto config = std::make_shared<SearchVector>(SearchVector{
      RelationGetRelid(data->tg_relation), CheckedShape(desc), target, InvalidOid, {}});
  config->shape.use(desc, target);
  config->config = trusted_lookup(regconfigin, trigger_arg(data, 1));
  // regconfig also reads '-' and bare OIDs, which need not name a configuration.
  Oid found_config = config->config;
  if (!pg::call([found_config] {
        return SearchSysCacheExists1(TSCONFIGOID, ObjectIdGetDatum(found_config));
      }))
    bad_trigger_arg(data, 1, "names no text search configuration");
  for (int i = 2; i + 1 < data->tg_trigger->tgnargs; i += 2) {
    int source = checked_column(data, data->tg_trigger->tgargs[i], {TEXTOID, VARCHAROID, BPCHAROID},
                                "text, varchar or char", false);
    if (source == target) bad_trigger_arg(data, i, "the tsvector column cannot be its own source");
    const char* weight = data->tg_trigger->tgargs[i + 1];
    if (std::strlen(weight) != 1 || weight[0] < 'A' || weight[0] > 'D')
      bad_trigger_arg(data, i + 1,
                      "weight \"" + std::string(weight) + "\" is not one of A, B, C and D");
    config->shape.use(desc, source);
    config->sources.emplace_back(source, weight[0]);
  }
  return search_vectors.add(data->tg_trigger->tgoid, config);
}

// A dropped or altered text search configuration (or one of its dictionaries) must not be used
// through a cached OID.
void forget_search_vectors(Datum, int, uint32) { search_vectors.forget(InvalidOid); }

bool column_unchanged(const TriggerData* data, int attnum) {
  TupleDesc desc = RelationGetDescr(data->tg_relation);
  bool old_null = false;
  bool new_null = false;
  Datum old_value = heap_getattr(data->tg_trigtuple, attnum, desc, &old_null);
  Datum new_value = heap_getattr(data->tg_newtuple, attnum, desc, &new_null);
  return same_value(TupleDescAttr(desc, attnum - 1), old_value, old_null, new_value, new_null);
}

// manage_trigger: the user's function, looked up once per trigger. Its FmgrInfo (and what fmgr
// caches in it: SECURITY DEFINER owner, SET options, the language handler's state) lives in a
// memory context of its own, dropped with the entry when the table or any function changes.
struct ManagedFunction {
  Oid relid;
  CheckedShape shape;
  MemoryContext context;
  FmgrInfo function;

  ManagedFunction(Oid relation, TupleDesc desc, MemoryContext memory)
      : relid(relation), shape(desc), context(memory) {}
  ~ManagedFunction() { MemoryContextDelete(context); }
  ManagedFunction(const ManagedFunction&) = delete;
  ManagedFunction& operator=(const ManagedFunction&) = delete;
};
ConfigCache<ManagedFunction> managed_functions;

void forget_functions(Datum, int, uint32) { managed_functions.forget(InvalidOid); }

// A C function whose link symbol is the dispatcher's.
bool is_dispatcher_symbol(HeapTuple proc, Form_pg_proc form) {
  if (form->prolang != ClanguageId) return false;
  bool is_null = true;
  Datum source = pg::call(
      [proc, &is_null] { return SysCacheGetAttr(PROCOID, proc, Anum_pg_proc_prosrc, &is_null); });
  return !is_null && pg::text_to_string(source) == "pgdb_tools_trigger_managed";
}

std::shared_ptr<ManagedFunction> managed_function(TriggerData* data, Oid dispatcher) {
  TupleDesc desc = RelationGetDescr(data->tg_relation);
  if (auto found = managed_functions.find(data->tg_trigger->tgoid, desc)) return found;
  require_arg_count(data, "_trigger_managed", 1, std::numeric_limits<int>::max());
  const char* signature = trigger_arg(data, 0);
  Oid function = trusted_lookup(regprocedurein, signature);
  // The dispatcher is callable by anyone who can create a trigger: it only ever calls a plain
  // trigger function that the table's owner may execute, as CREATE TRIGGER would require.
  HeapTuple proc =
      pg::call([function] { return SearchSysCache1(PROCOID, ObjectIdGetDatum(function)); });
  if (!HeapTupleIsValid(proc))
    throw Error(sqlstate::undefined_object,
                "function " + std::string(signature) + " does not exist");
  auto* form = reinterpret_cast<Form_pg_proc>(GETSTRUCT(proc));
  bool is_trigger_function =
      form->prorettype == TRIGGEROID && form->pronargs == 0 && form->prokind == PROKIND_FUNCTION;
  // The dispatcher itself (under any name) would call itself with the same trigger, and so on.
  bool is_dispatcher = function == dispatcher || is_dispatcher_symbol(proc, form);
  ReleaseSysCache(proc);
  if (!is_trigger_function)
    throw Error("42809", "function " + std::string(signature) + " is not a trigger function", {},
                "Trigger " + trigger_name(data) + " must call a function returning trigger.");
  if (is_dispatcher)
    throw Error("42809",
                "trigger " + trigger_name(data) + " on table " + relation_name(data->tg_relation) +
                    " dispatches to _trigger_managed() itself",
                {}, "Name the trigger function it manages.");
  Oid owner = data->tg_relation->rd_rel->relowner;
  AclResult allowed = pg::call(
      [function, owner] { return pg::compat::proc_aclcheck(function, owner, ACL_EXECUTE); });
  if (allowed != ACLCHECK_OK)
    throw Error(sqlstate::insufficient_privilege,
                "permission denied for function " + std::string(signature), {},
                "The owner of table " + relation_name(data->tg_relation) +
                    " must be allowed to execute it.");
  MemoryContext context = pg::call([] {
    return AllocSetContextCreate(CacheMemoryContext, "pgdb_tools managed trigger",
                                 ALLOCSET_SMALL_SIZES);
  });
  auto entry =
      std::make_shared<ManagedFunction>(RelationGetRelid(data->tg_relation), desc, context);
  FmgrInfo* info = &entry->function;
  pg::call([function, info, context] { fmgr_info_cxt(function, info, context); });
  return managed_functions.add(data->tg_trigger->tgoid, entry);
}

// soft_delete: the prepared UPDATE for one trigger, kept until the relation, its schema or the
// trigger's arguments change (a kept plan is re-analyzed from its SQL text, so it must never
// outlive the names it was written with).
struct SoftDeletePlan {
  Oid relid;
  std::string arguments;  // column, expression and value, as the trigger has them
  CheckedShape shape;
  SPIPlanPtr plan;
  bool valid;
};
std::unordered_map<Oid, SoftDeletePlan> soft_delete_plans;  // by trigger OID

// Invalidation callbacks mark plans stale; the executor frees them on next use, outside
// invalidation processing.
void stale_soft_delete_plans(Datum, Oid relid) {
  for (auto& [trigger, entry] : soft_delete_plans) {
    if (relid == InvalidOid || entry.relid == relid) entry.valid = false;
  }
}
void stale_soft_delete_plans_on_rename(Datum, int, uint32) {
  stale_soft_delete_plans(0, InvalidOid);
}

}  // namespace

void init_executors() {
  register_cache_invalidation();
  CacheRegisterRelcacheCallback(stale_soft_delete_plans, Datum(0));
  CacheRegisterSyscacheCallback(NAMESPACEOID, stale_soft_delete_plans_on_rename, Datum(0));
  CacheRegisterSyscacheCallback(PROCOID, forget_functions, Datum(0));
  CacheRegisterSyscacheCallback(TSCONFIGOID, forget_search_vectors, Datum(0));
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

// _trigger_read_only(mode, columns...): refuses an UPDATE that changes a read-only column.
PGDB_FUNCTION(pgdb_tools_trigger_read_only) {
  TriggerData* data = before_row_trigger(fcinfo, "_trigger_read_only", TRIGGER_TYPE_UPDATE);
  if (bypassed(data)) return unchanged_row(data);
  std::shared_ptr<ReadOnlyColumns> config = read_only_config(data);
  TupleDesc desc = RelationGetDescr(data->tg_relation);
  for (int attnum : config->attnums) {
    Form_pg_attribute attribute = TupleDescAttr(desc, attnum - 1);
    bool old_null = false;
    bool new_null = false;
    Datum old_value = heap_getattr(data->tg_trigtuple, attnum, desc, &old_null);
    Datum new_value = heap_getattr(data->tg_newtuple, attnum, desc, &new_null);
    if (same_value(attribute, old_value, old_null, new_value, new_null)) continue;
    throw Error(row_check_sqlstate,
                "trigger " + trigger_name(data) + " forbids changing column " +
                    pg::quote_identifier(NameStr(attribute->attname)) + " of table " +
                    relation_name(data->tg_relation),
                "The UPDATE would change it from " +
                    value_text(old_value, old_null, attribute->atttypid) + " to " +
                    value_text(new_value, new_null, attribute->atttypid) + ".",
                ignore_hint(data))
        .about(refusal_objects(data, attnum));
  }
  return unchanged_row(data);
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

// _trigger_fsm(column, transitions): refuses a change of the state column that the transitions
// do not allow; an UPDATE that leaves the state as it was passes.
PGDB_FUNCTION(pgdb_tools_trigger_fsm) {
  TriggerData* data = before_row_trigger(fcinfo, "_trigger_fsm", TRIGGER_TYPE_UPDATE);
  if (bypassed(data)) return unchanged_row(data);
  std::shared_ptr<StateMachine> held = state_machine(data);  // kept alive for the whole call
  const StateMachine& machine = *held;
  TupleDesc desc = RelationGetDescr(data->tg_relation);
  bool old_null = false;
  bool new_null = false;
  Datum old_value = heap_getattr(data->tg_trigtuple, machine.attnum, desc, &old_null);
  Datum new_value = heap_getattr(data->tg_newtuple, machine.attnum, desc, &new_null);
  std::string from_storage;
  std::string to_storage;
  std::string_view from;
  auto moves = machine.moves.end();
  if (old_null && new_null) return unchanged_row(data);
  if (!old_null && !new_null) {
    from = state_name(old_value, machine.type, from_storage);
    std::string_view to = state_name(new_value, machine.type, to_storage);
    if (from == to) return unchanged_row(data);  // the state did not change
    moves = machine.moves.find(from);
    if (moves != machine.moves.end()) {
      for (const std::string& allowed : moves->second) {
        if (allowed == to) return unchanged_row(data);
      }
    }
  }
  // Refused: only now spend time on the message.
  std::string fact =
      "trigger " + trigger_name(data) + " forbids changing column " +
      pg::quote_identifier(NameStr(TupleDescAttr(desc, machine.attnum - 1)->attname)) +
      " of table " + relation_name(data->tg_relation) + " from " +
      value_text(old_value, old_null, machine.type) + " to " +
      value_text(new_value, new_null, machine.type);
  std::string detail = "A state machine has no transitions to or from NULL.";
  if (!old_null && !new_null) {
    std::string allowed;
    if (moves != machine.moves.end()) {
      for (const std::string& state : moves->second)
        allowed += (allowed.empty() ? "" : ", ") + pg::quote_literal(state);
    }
    detail = allowed.empty()
                 ? "No transition leaves state " + pg::quote_literal(from) + "."
                 : "From " + pg::quote_literal(from) + " the allowed states are " + allowed + ".";
  }
  throw Error(row_check_sqlstate, fact, detail, ignore_hint(data))
      .about(refusal_objects(data, machine.attnum));
}

// _trigger_search_vector(column, config, source, weight, ...): keeps a tsvector column equal to
// the weighted text of its sources, recomputed only when a source (or the column) changes.
PGDB_FUNCTION(pgdb_tools_trigger_search_vector) {
  TriggerData* data = before_row_trigger(fcinfo, "_trigger_search_vector",
                                         TRIGGER_TYPE_INSERT | TRIGGER_TYPE_UPDATE);
  if (bypassed(data)) return unchanged_row(data);
  std::shared_ptr<SearchVector> held = search_vector(data);  // kept alive for the whole call
  const SearchVector& config = *held;
  if (TRIGGER_FIRED_BY_UPDATE(data->tg_event)) {
    bool unchanged = column_unchanged(data, config.target);
    for (const auto& source : config.sources)
      unchanged = unchanged && column_unchanged(data, source.first);
    if (unchanged) return unchanged_row(data);
  }
  HeapTuple row = written_row(data);
  TupleDesc desc = RelationGetDescr(data->tg_relation);
  Oid ts_config = config.config;
  Datum vector = 0;
  for (const auto& [attnum, weight] : config.sources) {
    bool is_null = false;
    Datum text = heap_getattr(row, attnum, desc, &is_null);
    if (is_null) continue;
    char w = weight;
    Datum weighted = pg::call([ts_config, text, w] {
      Datum parsed = DirectFunctionCall2(to_tsvector_byid, ObjectIdGetDatum(ts_config), text);
      return DirectFunctionCall2(tsvector_setweight, parsed, CharGetDatum(w));
    });
    vector = vector == 0 ? weighted : pg::call([vector, weighted] {
      return DirectFunctionCall2(tsvector_concat, vector, weighted);
    });
  }
  if (vector == 0)
    vector = pg::call([ts_config] {
      return DirectFunctionCall2(to_tsvector_byid, ObjectIdGetDatum(ts_config),
                                 CStringGetTextDatum(""));
    });
  int target = config.target;
  bool is_null = false;
  return PointerGetDatum(pg::call(
      [&] { return heap_modify_tuple_by_cols(row, desc, 1, &target, &vector, &is_null); }));
}

// _trigger_managed(function, args...): calls the user's trigger function with the user's own
// arguments, unless ignore() bypasses the trigger.
PGDB_FUNCTION(pgdb_tools_trigger_managed) {
  TriggerData* data = trigger_data(fcinfo, "_trigger_managed");
  if (bypassed(data)) return unchanged_row(data);
  // A user's function may fire other managed triggers, and those this one: recursion through
  // C frames that PostgreSQL's own checks do not see.
  pg::call([] { check_stack_depth(); });
  std::shared_ptr<ManagedFunction> managed =
      managed_function(data, fcinfo->flinfo->fn_oid);  // alive for the call
  Trigger own = *data->tg_trigger;
  own.tgnargs -= 1;
  own.tgargs += 1;
  TriggerData inner = *data;
  inner.tg_trigger = &own;
  LOCAL_FCINFO(call, 0);
  InitFunctionCallInfoData(*call, &managed->function, 0, InvalidOid,
                           reinterpret_cast<fmNodePtr>(&inner), nullptr);
  Datum result = pg::call([call] { return FunctionCallInvoke(call); });
  if (call->isnull) PG_RETURN_NULL();
  return result;
}

// _trigger_soft_delete(column, expression, value): turns DELETE into an UPDATE of the column
// (to the value, false or now()) and skips the delete.
PGDB_FUNCTION(pgdb_tools_trigger_soft_delete) {
  TriggerData* data = before_row_trigger(fcinfo, "_trigger_soft_delete", TRIGGER_TYPE_DELETE);
  if (bypassed(data)) return unchanged_row(data);
  require_arg_count(data, "_trigger_soft_delete", 3, 3);
  const char* column = trigger_arg(data, 0);
  std::string expression = trigger_arg(data, 1);
  std::string arguments = std::string(column) + '\0' + expression + '\0' + trigger_arg(data, 2);
  Relation relation = data->tg_relation;
  TupleDesc desc = RelationGetDescr(relation);
  Oid trigger = data->tg_trigger->tgoid;
  ItemPointerData row = data->tg_trigtuple->t_self;
  {
    pg::Spi spi;
    auto found = soft_delete_plans.find(trigger);
    if (found != soft_delete_plans.end() &&
        (!found->second.valid || found->second.arguments != arguments ||
         !found->second.shape.matches(desc))) {
      SPIPlanPtr stale = found->second.plan;
      soft_delete_plans.erase(found);
      pg::call([stale] { SPI_freeplan(stale); });
      found = soft_delete_plans.end();
    }
    if (found == soft_delete_plans.end()) {
      int attnum = 0;
      if (expression == "value") {
        attnum = checked_column(data, column, {}, "", true);
      } else if (expression == "false") {
        attnum = checked_column(data, column, {BOOLOID}, "boolean", true);
      } else if (expression == "now") {
        attnum = checked_column(data, column, {TIMESTAMPTZOID, TIMESTAMPOID, DATEOID},
                                "timestamp with time zone, timestamp or date", true);
      } else {
        bad_trigger_arg(data, 1,
                        "\"" + expression + "\" is not one of \"value\", \"false\" and \"now\"");
      }
      CheckedShape shape(desc);
      shape.use(desc, attnum);
      // Prepared (and later re-planned, PostgreSQL keeps the path with the plan) under the trusted
      // path: the deleting session's search_path must not choose the = operator or the type.
      pg::SearchPath trusted(pg::trusted_search_path);
      Oid type = TupleDescAttr(desc, attnum - 1)->atttypid;
      std::string type_name = pg::call([type] { return format_type_be(type); });
      std::string value =
          expression == "value"
              ? "CAST(" + pg::quote_literal(trigger_arg(data, 2)) + " AS " + type_name + ")"
          : expression == "false" ? std::string("false")
                                  : "CAST(pg_catalog.now() AS " + type_name + ")";
      std::string sql = "UPDATE ONLY " + relation_name(relation) + " SET " +
                        pg::quote_identifier(column) + " = " + value +
                        " WHERE ctid OPERATOR(pg_catalog.=) $1";
      const char* text = sql.c_str();
      Oid argument_type = TIDOID;
      SPIPlanPtr plan =
          pg::call([text, &argument_type] { return SPI_prepare(text, 1, &argument_type); });
      if (plan == nullptr)
        throw Error(sqlstate::internal_error,
                    std::string("SPI_prepare failed: ") + SPI_result_code_string(SPI_result));
      pg::call([plan] { SPI_keepplan(plan); });
      found = soft_delete_plans
                  .insert_or_assign(trigger, SoftDeletePlan{RelationGetRelid(relation), arguments,
                                                            std::move(shape), plan, true})
                  .first;
    }
    Datum argument = PointerGetDatum(&row);
    SPIPlanPtr plan = found->second.plan;
    int rc = pg::call(
        [plan, &argument] { return SPI_execute_plan(plan, &argument, nullptr, false, 0); });
    if (rc != SPI_OK_UPDATE)
      throw Error(sqlstate::internal_error,
                  std::string("soft delete UPDATE failed: ") + SPI_result_code_string(rc));
    if (SPI_processed != 1)
      throw Error(sqlstate::object_not_in_prerequisite_state,
                  "trigger " + trigger_name(data) + " could not soft-delete a row of table " +
                      relation_name(relation) + ": its UPDATE changed no row",
                  {},
                  "A row-level security policy or another BEFORE UPDATE trigger stopped the "
                  "UPDATE; the row was neither deleted nor marked.");
  }
  return PointerGetDatum(nullptr);  // the row stays: the DELETE skips it
}
