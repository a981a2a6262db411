// The manage_trigger executor: _trigger_managed() calls the user's own trigger function with the
// user's own arguments, unless ignore() bypasses the trigger.
#include <limits>
#include <memory>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "pg/catalog.hpp"
#include "pg/compat.hpp"
#include "pg/datum.hpp"
#include "pg/guard.hpp"
#include "pg/roles.hpp"
#include "pg/syscache.hpp"
#include "triggers/bypass.hpp"
#include "triggers/executor_support.hpp"
#include "triggers/executors.hpp"

extern "C" {
#include "catalog/pg_trigger.h"
#include "catalog/pg_language.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "utils/acl.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/regproc.h"
}

namespace pgdb::triggers {

namespace {

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
bool is_dispatcher_symbol(const pg::CatalogRow& proc) {
  if (proc.form<FormData_pg_proc>()->prolang != ClanguageId) return false;
  std::optional<Datum> source = proc.column(Anum_pg_proc_prosrc);
  return source && pg::text_to_string(*source) == "pgdb_tools_trigger_managed";
}

// 42704 unless function exists, 42809 unless it is a plain trigger function other than the
// dispatcher itself (under any name), which would call itself with the same trigger, and so on.
void require_managed_function(const TriggerData* data, const char* signature, Oid function,
                              Oid dispatcher) {
  pg::CatalogRow proc(PROCOID, function);
  if (!proc)
    throw Error(sqlstate::undefined_object,
                "function " + std::string(signature) + " does not exist");
  const FormData_pg_proc* form = proc.form<FormData_pg_proc>();
  if (form->prorettype != TRIGGEROID || form->pronargs != 0 || form->prokind != PROKIND_FUNCTION)
    throw Error("42809", "function " + std::string(signature) + " is not a trigger function", {},
                "Trigger " + trigger_name(data) + " must call a function returning trigger.");
  if (function == dispatcher || is_dispatcher_symbol(proc))
    throw Error("42809",
                "trigger " + trigger_name(data) + " on table " + relation_name(data->tg_relation) +
                    " dispatches to _trigger_managed() itself",
                {}, "Name the trigger function it manages.");
}

std::shared_ptr<ManagedFunction> managed_function(TriggerData* data, Oid dispatcher) {
  TupleDesc desc = RelationGetDescr(data->tg_relation);
  if (auto found = managed_functions.find(data->tg_trigger->tgoid, desc)) return found;
  require_arg_count(data, "_trigger_managed", 1, std::numeric_limits<int>::max());
  const char* signature = trigger_arg(data, 0);
  // Resolved with the trusted search_path, whatever the firing session's: kind functions write
  // qualified names, and an unqualified one written by hand must not pick up an object someone
  // planted earlier in that session's path.
  Oid function = pg::lookup_name(pg::trusted_search_path, regprocedurein, signature);
  // The dispatcher is callable by anyone who can create a trigger: it only ever calls a plain
  // trigger function that the table's owner may execute, as CREATE TRIGGER would require.
  require_managed_function(data, signature, function, dispatcher);
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

}  // namespace

void register_dispatch_invalidation() {
  CacheRegisterSyscacheCallback(PROCOID, forget_functions, Datum(0));
}

}  // namespace pgdb::triggers

using namespace pgdb;
using namespace pgdb::triggers;

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
