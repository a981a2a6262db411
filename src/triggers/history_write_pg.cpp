// The history trigger's write (history_pg.cpp builds the events): each event a row of the history
// table, written by table_tuple_insert and the table's indexes when that is what an INSERT would
// do, otherwise by a prepared INSERT kept per trigger; both as the history table's owner.
#include <string>
#include <unordered_map>

#include "core/error.hpp"
#include "pg/compat.hpp"
#include "pg/guard.hpp"
#include "pg/quote.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"
#include "triggers/executor_support.hpp"
#include "triggers/history.hpp"
#include "triggers/history_open.hpp"

extern "C" {
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/sequence.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/xid8.h"
}

namespace pgdb::triggers {

namespace {

// The kept INSERT of one trigger and the role it runs as (the history table's owner: writers of
// the tracked table need no privilege on its history, and cannot forge it). Freed and prepared
// again when the trigger's history table arguments change; the plan cache re-plans it when the
// history table changes. The plan is prepared on first use: a history table written directly
// (below) never needs it.
struct HistoryPlan {
  std::string target;  // schema and table, as the trigger names them
  SPIPlanPtr plan = nullptr;
  Oid owner;
};
std::unordered_map<Oid, HistoryPlan> history_plans;  // by trigger OID

HistoryPlan find_history_owner(const std::string& schema, const std::string& table) {
  Oid owner = InvalidOid;
  {
    pg::Spi lookup;
    lookup.execute(
        "SELECT c.relowner::int8 FROM pg_catalog.pg_class c "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')",
        {pg::Param::text(schema), pg::Param::text(table)}, true);
    if (lookup.row_count() == 1) owner = lookup.get_oid(0, 0).value();
  }
  if (!OidIsValid(owner))
    throw Error(sqlstate::undefined_table,
                "history table " + pg::quote_identifier(schema) + "." +
                    pg::quote_identifier(table) + " does not exist",
                {}, "Call pgdb_tools.track_history() again to create it.");
  return HistoryPlan{schema + '\0' + table, nullptr, owner};
}

// SPI must be connected.
void prepare_history(HistoryPlan& kept, const std::string& schema, const std::string& table) {
  pg::SearchPath trusted(pg::trusted_search_path);
  std::string sql = "INSERT INTO " + pg::quote_identifier(schema) + "." +
                    pg::quote_identifier(table) +
                    " (event_at, tx_id, operation, row_key, old_data, new_data, context, actor) "
                    "VALUES (pg_catalog.now(), pg_catalog.pg_current_xact_id(), $1, $2, $3, $4, "
                    "$5, SESSION_USER)";
  Oid types[5] = {TEXTOID, JSONBOID, JSONBOID, JSONBOID, JSONBOID};
  const char* text = sql.c_str();
  SPIPlanPtr plan = pg::call([text, &types] { return SPI_prepare(text, 5, types); });
  if (plan == nullptr)
    throw Error(sqlstate::internal_error,
                std::string("SPI_prepare failed: ") + SPI_result_code_string(SPI_result));
  pg::call([plan] { SPI_keepplan(plan); });
  kept.plan = plan;
}

HistoryPlan& history_plan(const TriggerData* data) {
  std::string schema = trigger_arg(data, 0);
  std::string table = trigger_arg(data, 1);
  Oid trigger = data->tg_trigger->tgoid;
  auto found = history_plans.find(trigger);
  if (found != history_plans.end() && found->second.target != schema + '\0' + table) {
    SPIPlanPtr stale = found->second.plan;
    history_plans.erase(found);
    if (stale != nullptr) pg::call([stale] { SPI_freeplan(stale); });
    found = history_plans.end();
  }
  if (found == history_plans.end())
    found = history_plans.insert_or_assign(trigger, find_history_owner(schema, table)).first;
  return found->second;
}

// How a trigger's history table is written without the executor: the table, found by the names
// the trigger passes, and its event_id sequence; InvalidOid sequence when the kept INSERT must
// write it instead. Dropped when the history table's relcache entry is invalidated (DDL on it,
// GRANT/REVOKE, a trigger or policy added), so the decision is made again.
struct DirectTarget {
  std::string target;  // schema and table, as the trigger names them
  Oid relid = InvalidOid;
  Oid sequence = InvalidOid;
};

class DirectTargets final : public CacheBase {
 public:
  const DirectTarget* find(Oid trigger, const std::string& target) const {
    auto found = entries_.find(trigger);
    if (found == entries_.end() || found->second.target != target) return nullptr;
    return &found->second;
  }
  bool contains(Oid trigger) const noexcept { return entries_.count(trigger) > 0; }
  void add(Oid trigger, DirectTarget target) { entries_.insert_or_assign(trigger, target); }
  void forget(Oid relid) noexcept override {
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (relid == InvalidOid || it->second.relid == relid) {
        it = entries_.erase(it);
      } else {
        ++it;
      }
    }
  }

 private:
  std::unordered_map<Oid, DirectTarget> entries_;
};
DirectTargets direct_targets;

// The history table's columns, as ensure_history_table() creates them.
constexpr int history_natts = 9;
constexpr Oid history_types[history_natts] = {INT8OID,  TIMESTAMPTZOID, XID8OID,  TEXTOID, JSONBOID,
                                              JSONBOID, JSONBOID,       JSONBOID, NAMEOID};

// The event_id sequence when a row written by table_tuple_insert and the indexes is exactly what
// the kept INSERT would write and check: a plain table that is not a partition (the INSERT routes
// rows of partitioned ones and checks partition bounds) of the history shape with an identity
// event_id and no generated column, no trigger or rule on it (the INSERT would fire them), no
// CHECK constraint (NOT NULL is checked here), no row-level security (its policies may apply to
// the owner), and INSERT granted to the owner. InvalidOid otherwise.
Oid direct_sequence(Relation rel, Oid owner) {
  if (rel->rd_rel->relkind != RELKIND_RELATION || rel->rd_rel->relispartition ||
      rel->trigdesc != nullptr || rel->rd_rules != nullptr || rel->rd_rel->relrowsecurity)
    return InvalidOid;
  TupleConstr* constraints = rel->rd_att->constr;
  if (constraints != nullptr && constraints->num_check > 0) return InvalidOid;
  TupleDesc desc = RelationGetDescr(rel);
  if (desc->natts != history_natts) return InvalidOid;
  for (int i = 0; i < history_natts; ++i) {
    Form_pg_attribute attribute = TupleDescAttr(desc, i);
    if (attribute->attisdropped || attribute->atttypid != history_types[i] ||
        attribute->attgenerated != '\0')
      return InvalidOid;
  }
  if (TupleDescAttr(desc, 0)->attidentity == '\0') return InvalidOid;
  if (pg_class_aclcheck(RelationGetRelid(rel), owner, ACL_INSERT) != ACLCHECK_OK) return InvalidOid;
  return pg::compat::identity_sequence(rel, 1);
}

const DirectTarget& direct_target(const TriggerData* data, const HistoryPlan& plan) {
  Oid trigger = data->tg_trigger->tgoid;
  if (const DirectTarget* found = direct_targets.find(trigger, plan.target)) return *found;
  const char* schema = trigger_arg(data, 0);
  const char* table = trigger_arg(data, 1);
  Oid owner = plan.owner;
  Oid relid = InvalidOid;
  Oid sequence = pg::call([schema, table, owner, &relid] {
    Oid nsp = get_namespace_oid(schema, true);
    relid = OidIsValid(nsp) ? get_relname_relid(table, nsp) : InvalidOid;
    if (!OidIsValid(relid)) return InvalidOid;
    Relation rel = table_open(relid, RowExclusiveLock);
    Oid found = direct_sequence(rel, owner);
    table_close(rel, NoLock);
    return found;
  });
  static const DirectTarget missing{};
  if (!OidIsValid(relid)) return missing;  // the kept INSERT reports it
  direct_targets.add(trigger, DirectTarget{plan.target, relid, sequence});
  return *direct_targets.find(trigger, plan.target);
}

// The current user is the history table's owner while alive, in a security-restricted operation;
// abort processing restores the caller's if an error ends the (sub)transaction first.
class AsHistoryOwner {
 public:
  explicit AsHistoryOwner(Oid owner) {
    GetUserIdAndSecContext(&saved_user_, &saved_context_);
    SetUserIdAndSecContext(
        owner, saved_context_ | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
  }
  ~AsHistoryOwner() { SetUserIdAndSecContext(saved_user_, saved_context_); }
  AsHistoryOwner(const AsHistoryOwner&) = delete;
  AsHistoryOwner& operator=(const AsHistoryOwner&) = delete;

 private:
  Oid saved_user_;
  int saved_context_;
};

// The event's row written as the kept INSERT writes it (the next event_id, now(),
// pg_current_xact_id(), SESSION_USER), checked against the table's constraints and added to its
// indexes, through the table kept open (history_open.hpp); false, with nothing written, when an
// invalidation processed on opening the table dropped the target (decide again). Plain C-style:
// every resource is the (sub)transaction's if an ERROR escapes.
bool write_direct(Oid trigger, Oid relid, Oid sequence, const HistoryEvent& event, Datum context) {
  return pg::call([&] {
    KeptHistory* kept = kept_history(relid);
    if (!direct_targets.contains(trigger)) return false;
    Relation rel = kept->rel;
    TupleTableSlot* slot = kept->slot;
    ExecClearTuple(slot);
    Datum* values = slot->tts_values;
    bool* nulls = slot->tts_isnull;
    values[0] = Int64GetDatum(nextval_internal(sequence, false));
    values[1] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
    values[2] = FullTransactionIdGetDatum(GetTopFullTransactionId());
    values[3] = CStringGetTextDatum(event.operation);
    values[4] = event.row_key;
    values[5] = event.old_data;
    values[6] = event.new_data;
    values[7] = context;
    values[8] =
        DirectFunctionCall1(namein, CStringGetDatum(GetUserNameFromId(GetSessionUserId(), false)));
    for (int i = 0; i < history_natts; ++i) nulls[i] = i >= 4 && i <= 7 && values[i] == 0;
    ExecStoreVirtualTuple(slot);
    if (rel->rd_att->constr != nullptr) ExecConstraints(kept->info, slot, kept->estate);
    table_tuple_insert(rel, slot, GetCurrentCommandId(true), 0, nullptr);
    if (kept->info->ri_NumIndices > 0)
      pg::compat::insert_index_tuples(kept->info, slot, kept->estate);
    ExecClearTuple(slot);
    return true;
  });
}

}  // namespace

void write_history_event(const TriggerData* data, const HistoryEvent& event, Datum context) {
  HistoryPlan& plan = history_plan(data);
  Oid trigger = data->tg_trigger->tgoid;
  for (int attempt = 0; attempt < 2; ++attempt) {
    const DirectTarget& target = direct_target(data, plan);
    if (!OidIsValid(target.sequence)) break;
    Oid relid = target.relid;
    Oid sequence = target.sequence;
    AsHistoryOwner as_owner(plan.owner);
    if (write_direct(trigger, relid, sequence, event, context)) return;
  }
  pg::Spi spi;
  if (plan.plan == nullptr) prepare_history(plan, trigger_arg(data, 0), trigger_arg(data, 1));
  Datum values[5] = {pg::call([&] { return CStringGetTextDatum(event.operation); }), event.row_key,
                     event.old_data, event.new_data, context};
  char nulls[5] = {' ', event.row_key ? ' ' : 'n', event.old_data ? ' ' : 'n',
                   event.new_data ? ' ' : 'n', context ? ' ' : 'n'};
  SPIPlanPtr prepared = plan.plan;
  AsHistoryOwner as_owner(plan.owner);
  int rc = pg::call([&] { return SPI_execute_plan(prepared, values, nulls, false, 0); });
  if (rc != SPI_OK_INSERT)
    throw Error(sqlstate::internal_error,
                std::string("history INSERT failed: ") + SPI_result_code_string(rc));
}

}  // namespace pgdb::triggers
