// The executors that refuse a change of a row's columns: read_only (any change of the listed
// columns) and fsm (a change of the state column the transitions do not allow).
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "pg/datum.hpp"
#include "pg/guard.hpp"
#include "pg/jsonb.hpp"
#include "pg/quote.hpp"
#include "triggers/bypass.hpp"
#include "triggers/executor_support.hpp"
#include "triggers/executors.hpp"

extern "C" {
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
}

namespace pgdb::triggers {

namespace {

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
    storage = pg::output_text(value, type);
    storage.erase(storage.find_last_not_of(' ') + 1);
    return storage;
  }
  if (type != TEXTOID && type != VARCHAROID) return storage = pg::output_text(value, type);
  auto* raw = reinterpret_cast<varlena*>(DatumGetPointer(value));
  if (VARATT_IS_EXTERNAL(raw) || VARATT_IS_COMPRESSED(raw))
    raw = pg::call([raw] { return pg_detoast_datum_packed(raw); });
  return std::string_view(VARDATA_ANY(raw), VARSIZE_ANY_EXHDR(raw));
}

}  // namespace

}  // namespace pgdb::triggers

using namespace pgdb;
using namespace pgdb::triggers;

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
