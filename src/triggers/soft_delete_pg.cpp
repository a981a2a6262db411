// The soft_delete executor: turns a DELETE into an UPDATE of one column through a prepared plan
// kept per trigger, and skips the delete.
#include <string>
#include <unordered_map>
#include <utility>

#include "core/error.hpp"
#include "pg/catalog.hpp"
#include "pg/guard.hpp"
#include "pg/quote.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"
#include "triggers/bypass.hpp"
#include "triggers/executor_support.hpp"
#include "triggers/executors.hpp"

extern "C" {
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "utils/inval.h"
#include "utils/syscache.h"
}

namespace pgdb::triggers {

namespace {

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

// The column the trigger writes, checked for what its expression writes there.
int soft_delete_column(const TriggerData* data, const char* column, const std::string& expression) {
  if (expression == "value") return checked_column(data, column, {}, "", true);
  if (expression == "false") return checked_column(data, column, {BOOLOID}, "boolean", true);
  if (expression == "now")
    return checked_column(data, column, {TIMESTAMPTZOID, TIMESTAMPOID, DATEOID},
                          "timestamp with time zone, timestamp or date", true);
  bad_trigger_arg(data, 1, "\"" + expression + "\" is not one of \"value\", \"false\" and \"now\"");
}

// The trigger's UPDATE ONLY ... SET column = value WHERE ctid = $1, prepared and kept. Prepared
// (and later re-planned, PostgreSQL keeps the path with the plan) under the trusted path: the
// deleting session's search_path must not choose the = operator or the type.
SoftDeletePlan prepare_soft_delete(const TriggerData* data, std::string arguments) {
  const char* column = trigger_arg(data, 0);
  std::string expression = trigger_arg(data, 1);
  Relation relation = data->tg_relation;
  TupleDesc desc = RelationGetDescr(relation);
  int attnum = soft_delete_column(data, column, expression);
  CheckedShape shape(desc);
  shape.use(desc, attnum);
  pg::SearchPath trusted(pg::trusted_search_path);
  std::string type_name = pg::type_name(TupleDescAttr(desc, attnum - 1)->atttypid);
  std::string value = expression == "value" ? "CAST(" + pg::quote_literal(trigger_arg(data, 2)) +
                                                  " AS " + type_name + ")"
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
  return SoftDeletePlan{RelationGetRelid(relation), std::move(arguments), std::move(shape), plan,
                        true};
}

// The trigger's kept plan; a stale one (relation, schema or arguments changed) is freed and
// prepared again. SPI must be connected.
SPIPlanPtr soft_delete_plan(const TriggerData* data) {
  std::string arguments =
      std::string(trigger_arg(data, 0)) + '\0' + trigger_arg(data, 1) + '\0' + trigger_arg(data, 2);
  Oid trigger = data->tg_trigger->tgoid;
  auto found = soft_delete_plans.find(trigger);
  if (found != soft_delete_plans.end() &&
      (!found->second.valid || found->second.arguments != arguments ||
       !found->second.shape.matches(RelationGetDescr(data->tg_relation)))) {
    SPIPlanPtr stale = found->second.plan;
    soft_delete_plans.erase(found);
    pg::call([stale] { SPI_freeplan(stale); });
    found = soft_delete_plans.end();
  }
  if (found == soft_delete_plans.end())
    found = soft_delete_plans.insert_or_assign(trigger, prepare_soft_delete(data, arguments)).first;
  return found->second.plan;
}

// Runs the plan for the row the DELETE would remove; 55000 when the UPDATE changed no row.
void mark_deleted(const TriggerData* data, SPIPlanPtr plan) {
  ItemPointerData row = data->tg_trigtuple->t_self;
  Datum argument = PointerGetDatum(&row);
  int rc =
      pg::call([plan, &argument] { return SPI_execute_plan(plan, &argument, nullptr, false, 0); });
  if (rc != SPI_OK_UPDATE)
    throw Error(sqlstate::internal_error,
                std::string("soft delete UPDATE failed: ") + SPI_result_code_string(rc));
  if (SPI_processed != 1)
    throw Error(sqlstate::object_not_in_prerequisite_state,
                "trigger " + trigger_name(data) + " could not soft-delete a row of table " +
                    relation_name(data->tg_relation) + ": its UPDATE changed no row",
                {},
                "A row-level security policy or another BEFORE UPDATE trigger stopped the "
                "UPDATE; the row was neither deleted nor marked.");
}

}  // namespace

void register_soft_delete_invalidation() {
  CacheRegisterRelcacheCallback(stale_soft_delete_plans, Datum(0));
  CacheRegisterSyscacheCallback(NAMESPACEOID, stale_soft_delete_plans_on_rename, Datum(0));
}

}  // namespace pgdb::triggers

using namespace pgdb;
using namespace pgdb::triggers;

// _trigger_soft_delete(column, expression, value): turns DELETE into an UPDATE of the column
// (to the value, false or now()) and skips the delete.
PGDB_FUNCTION(pgdb_tools_trigger_soft_delete) {
  TriggerData* data = before_row_trigger(fcinfo, "_trigger_soft_delete", TRIGGER_TYPE_DELETE);
  if (bypassed(data)) return unchanged_row(data);
  require_arg_count(data, "_trigger_soft_delete", 3, 3);
  {
    pg::Spi spi;
    mark_deleted(data, soft_delete_plan(data));
  }
  return PointerGetDatum(nullptr);  // the row stays: the DELETE skips it
}
