#include "pg/compat.hpp"
#include "pg/cron.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/cron_requests.hpp"
#include "core/error.hpp"
#include "core/xact_journal.hpp"
#include "pg/cron_worker.hpp"
#include "pg/datum.hpp"
#include "pg/guard.hpp"
#include "pg/quote.hpp"
#include "pg/xact.hpp"

extern "C" {
#include "access/transam.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_database.h"
#include "commands/dbcommands.h"
#include "mb/pg_wchar.h"
#include "utils/acl.h"
#include "utils/guc.h"
#include "utils/syscache.h"
}

namespace pgdb::pg {

namespace {

struct CronRequest {
  CronOperation operation;
  Oid role;  // the current user when the request was made
  std::string job_name;
  std::string schedule;
  std::string command;
  std::int64_t job_id;  // schedule: the id the call returned, which the job keeps
};

XactJournal<CronRequest> requests;

struct CronDatabase {
  Oid oid;
  std::string name;
};

// pg_cron's database. pg_cron lets only superusers read cron.database_name; a database's name is
// no secret (pg_database is readable by all), so it is read here without that check.
CronDatabase cron_database() {
  const char* name = call([] { return GetConfigOption("cron.database_name", true, false); });
  if (name == nullptr || name[0] == '\0')
    throw Error(sqlstate::object_not_in_prerequisite_state, "pg_cron is not loaded", {},
                "Add pg_cron to shared_preload_libraries (a restart), set cron.database_name, and "
                "run CREATE EXTENSION pg_cron in that database.");
  std::string cron_name(name);
  Oid oid = call([name] { return get_database_oid(name, true); });
  if (!OidIsValid(oid))
    throw Error("3D000",
                "pg_cron's database \"" + cron_name + "\" (cron.database_name) does not exist");
  return {oid, cron_name};
}

std::string database_name(Oid database) {
  const char* name =
      call([database] { return static_cast<const char*>(get_database_name(database)); });
  if (name == nullptr)
    throw Error("3D000", "database " + std::to_string(database) + " does not exist");
  return name;
}

std::string role_name(Oid role) {
  const char* name =
      call([role] { return static_cast<const char*>(GetUserNameFromId(role, true)); });
  if (name == nullptr)
    throw Error(sqlstate::undefined_object, "role " + std::to_string(role) + " does not exist");
  return name;
}

bool all_ascii(const std::string& text) {
  for (unsigned char c : text)
    if (c >= 0x80) return false;
  return true;
}

// What PostgreSQL would refuse the worker with a FATAL error (a message in the server log only),
// refused here with a clear ERROR, both when the request is made and when it is carried out.
void require_worker_may_connect(const CronRequest& request, const CronDatabase& cron,
                                const std::string& caller_database) {
  std::string role = role_name(request.role);
  Oid role_oid = request.role;
  int can_login = call([role_oid] {
    HeapTuple tuple = SearchSysCache1(AUTHOID, ObjectIdGetDatum(role_oid));
    if (!HeapTupleIsValid(tuple)) return -1;
    int result = reinterpret_cast<Form_pg_authid>(GETSTRUCT(tuple))->rolcanlogin ? 1 : 0;
    ReleaseSysCache(tuple);
    return result;
  });
  if (can_login <= 0)
    throw Error("28000",
                "role \"" + role + "\" is not permitted to log in, so it cannot have pg_cron jobs",
                "pg_cron runs a job by connecting as its role, and the job is made by a background "
                "worker connected to database \"" +
                    cron.name + "\" as that role.",
                "Schedule as a role with LOGIN (current_user is the role: mind SET ROLE and "
                "SECURITY DEFINER functions).");
  Oid cron_oid = cron.oid;
  bool may_connect = call([cron_oid, role_oid] {
    return compat::database_aclcheck(cron_oid, role_oid, ACL_CONNECT) == ACLCHECK_OK;
  });
  if (!may_connect)
    throw Error(sqlstate::insufficient_privilege,
                "permission denied for database \"" + cron.name + "\"",
                "Role \"" + role +
                    "\" may not connect to pg_cron's database, where its pg_cron jobs are made.",
                "A superuser runs: GRANT CONNECT ON DATABASE " + quote_identifier(cron.name) +
                    " TO " + quote_identifier(role) + ";");
  int cron_encoding = call([cron_oid] {
    HeapTuple tuple = SearchSysCache1(DATABASEOID, ObjectIdGetDatum(cron_oid));
    if (!HeapTupleIsValid(tuple)) return -1;
    int encoding = reinterpret_cast<Form_pg_database>(GETSTRUCT(tuple))->encoding;
    ReleaseSysCache(tuple);
    return encoding;
  });
  if (cron_encoding != GetDatabaseEncoding() &&
      !(all_ascii(request.job_name) && all_ascii(request.schedule) && all_ascii(request.command) &&
        all_ascii(caller_database)))
    throw Error("22021",
                "database \"" + cron.name +
                    "\" has another encoding than this one: the pg_cron "
                    "job's name, schedule, command and this database's name must be ASCII");
}

void bound(const std::string& value, std::size_t limit, const char* what) {
  if (value.size() > limit)
    throw Error("54000", std::string(what) + " is too long (" + std::to_string(value.size()) +
                             " bytes; at most " + std::to_string(limit) + ")");
}

// The checks every request passes when it is made (and again, for the worker's connection, when
// it is carried out).
void check_request(const CronRequest& request, const CronDatabase& cron,
                   const std::string& caller_database) {
  bound(request.job_name, cron_max_name_bytes, "job_name");
  bound(request.schedule, cron_max_schedule_bytes, "schedule");
  bound(request.command, cron_max_command_bytes, "command");
  if (request.job_name.find('\0') != std::string::npos || request.job_name.empty())
    throw Error(sqlstate::invalid_parameter_value, "job_name must not be empty");
  if (call([] { return InSecurityRestrictedOperation(); }))
    throw Error(sqlstate::insufficient_privilege,
                "cannot schedule pg_cron jobs during a security-restricted operation");
  require_worker_may_connect(request, cron, caller_database);
}

std::string hint_for(int sqlerrcode, CronOperation operation, const std::string& cron_name,
                     const std::string& role, const char* worker_hint) {
  std::string cron_db = quote_identifier(cron_name);
  if (sqlerrcode == ERRCODE_INSUFFICIENT_PRIVILEGE)
    return cron_grant_hint(operation, cron_db, quote_identifier(role));
  if (sqlerrcode == ERRCODE_INVALID_SCHEMA_NAME)
    return "A superuser runs CREATE EXTENSION pg_cron in database " + cron_db + ".";
  if (sqlerrcode == ERRCODE_UNDEFINED_FUNCTION)
    return "pgdb_tools needs pg_cron 1.4 or later there (cron.schedule_in_database): a superuser "
           "runs ALTER EXTENSION pg_cron UPDATE in database " +
           cron_db + ".";
  if (sqlerrcode == ERRCODE_QUERY_CANCELED)
    return "The statement waited " + std::to_string(cron_worker_statement_timeout_ms / 1000) +
           " seconds in database " + cron_db +
           " (a lock on cron.job held by another session?); retry the transaction.";
  return worker_hint;
}

// Runs one step for request in pg_cron's database and returns what the worker found; any failure
// is raised as the worker's error, prefixed with what was being done.
CronWorkerOutcome run_step(CronStep step, const CronRequest& request, const CronDatabase& cron,
                           const std::string& caller_database) {
  std::uint64_t xid = call([] { return U64FromFullTransactionId(GetTopFullTransactionId()); });
  CronWorkerRequest worker{step,           cron.oid,         request.role,     xid,
                           request.job_id, request.job_name, request.schedule, request.command,
                           caller_database};
  CronWorkerOutcome outcome;
  std::memset(&outcome, 0, sizeof(outcome));
  CronWorkerOutcome* out = &outcome;
  call([&worker, out] { run_cron_worker(worker, out); });
  std::string role = role_name(request.role);
  const std::string what =
      (request.operation == CronOperation::schedule ? "could not make pg_cron job \""
                                                    : "could not remove pg_cron job \"") +
      request.job_name + "\" in database \"" + cron.name + "\" as role \"" + role + "\"";
  if (outcome.stage < cron_stage_connected)
    throw Error("08006", what + ": the background worker did not connect",
                "The server log says why (pg_cron's database does not allow connections, or the "
                "role was dropped meanwhile).");
  if (outcome.stage < cron_stage_finished)
    throw Error("08006", what + ": the background worker ended before it finished",
                "It was terminated or failed; the server log says why. Whether the job changed "
                "shows in cron.job there.");
  if (outcome.sqlerrcode != 0) {
    const char* state = unpack_sql_state(outcome.sqlerrcode);
    throw Error(state, what + ": " + outcome.message, outcome.detail,
                hint_for(outcome.sqlerrcode, request.operation, cron.name, role, outcome.hint));
  }
  return outcome;
}

void say(const std::string& message, const std::string& detail) {
  const char* message_text = message.c_str();
  const char* detail_text = detail.c_str();
  call([message_text, detail_text] {
    ereport(NOTICE, (errmsg_internal("%s", message_text), errdetail_internal("%s", detail_text)));
  });
}

// schedule: the job's id, now; the job (new, or the role's existing one of that name for this
// database, updated) is made when the transaction commits. Until then a new one is a
// reservation that never runs.
std::int64_t request_schedule(CronRequest request) {
  CronDatabase cron = cron_database();
  std::string caller_database = database_name(MyDatabaseId);
  check_request(request, cron, caller_database);
  CronWorkerOutcome outcome = run_step(CronStep::reserve, request, cron, caller_database);
  request.job_id = outcome.job_id;
  std::string id = std::to_string(outcome.job_id);
  std::string message = "pg_cron job \"" + request.job_name + "\" (job " + id + ") will be " +
                        (outcome.found ? "updated" : "made") + " in database \"" + cron.name +
                        "\" when this transaction commits";
  std::string detail = "It will run in database \"" + caller_database + "\" as role \"" +
                       role_name(request.role) + "\".";
  requests.add(current_subxact(), std::move(request));
  say(message, detail);
  return outcome.job_id;
}

// unschedule: whether the role has the job for this database (as this transaction's earlier
// requests leave it, else as pg_cron has it now); it is removed when the transaction commits.
bool request_unschedule(CronRequest request) {
  CronDatabase cron = cron_database();
  std::string caller_database = database_name(MyDatabaseId);
  check_request(request, cron, caller_database);
  std::vector<CronRequestKey> keys;
  std::vector<CronOperation> operations;
  for (const auto& entry : requests.entries()) {
    keys.push_back({entry.value.role, entry.value.job_name});
    operations.push_back(entry.value.operation);
  }
  std::optional<bool> pending =
      job_after_requests(keys, operations, {request.role, request.job_name});
  bool exists =
      pending ? *pending : run_step(CronStep::probe, request, cron, caller_database).found;
  std::string role = role_name(request.role);
  std::string message = exists ? "pg_cron job \"" + request.job_name + "\" of role \"" + role +
                                     "\" will be removed from database \"" + cron.name +
                                     "\" when this transaction commits"
                               : "role \"" + role + "\" had no pg_cron job \"" + request.job_name +
                                     "\" for database \"" + caller_database + "\" to remove";
  requests.add(current_subxact(), std::move(request));
  say(message, "Only the job of that role for database \"" + caller_database + "\" is removed.");
  return exists;
}

void carry_out_requests() {
  std::vector<CronRequest> pending;
  std::vector<CronRequestKey> keys;
  for (const auto& entry : requests.entries()) {
    pending.push_back(entry.value);
    keys.push_back({entry.value.role, entry.value.job_name});
  }
  CronDatabase cron = cron_database();
  std::string caller_database = database_name(MyDatabaseId);
  for (std::size_t position : deciding_requests(keys)) {
    const CronRequest& request = pending[position];
    require_worker_may_connect(request, cron, caller_database);
    run_step(
        request.operation == CronOperation::schedule ? CronStep::schedule : CronStep::unschedule,
        request, cron, caller_database);
  }
}

void at_pre_commit() {
  if (requests.empty()) return;
  guard([]() -> Datum {
    carry_out_requests();
    return static_cast<Datum>(0);
  });
}

void at_pre_prepare() {
  if (requests.empty()) return;
  ereport(ERROR,
          (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
           errmsg("cannot PREPARE a transaction that schedules or unschedules pg_cron jobs in "
                  "another database"),
           errdetail("Those jobs are made by a background worker just before the transaction "
                     "commits, which a prepared transaction does not wait for."),
           errhint("Schedule in a transaction that commits, or in pg_cron's own database.")));
}

std::string required_text(FunctionCallInfo fcinfo, int arg, const char* name) {
  if (PG_ARGISNULL(arg))
    throw Error(sqlstate::invalid_parameter_value, std::string(name) + " must not be NULL");
  return text_to_string(PG_GETARG_DATUM(arg));
}

}  // namespace

void init_cron() {
  register_xact_listener(requests);
  register_pre_commit_hook(at_pre_commit);
  register_pre_prepare_hook(at_pre_prepare);
}

}  // namespace pgdb::pg

using namespace pgdb;
using namespace pgdb::pg;

// _cron_schedule_at_commit(job_name text, schedule text, command text) RETURNS bigint: the id of
// the current user's pg_cron job job_name for this database, which is made (or updated) in
// pg_cron's database, running command on schedule here, when this transaction commits.
PGDB_FUNCTION(pgdb_tools_cron_schedule_at_commit) {
  CronRequest request{CronOperation::schedule,
                      GetUserId(),
                      required_text(fcinfo, 0, "job_name"),
                      required_text(fcinfo, 1, "schedule"),
                      required_text(fcinfo, 2, "command"),
                      0};
  PG_RETURN_INT64(request_schedule(std::move(request)));
}

// _cron_unschedule_at_commit(job_name text) RETURNS boolean: whether the current user has a
// pg_cron job job_name for this database; it is removed from pg_cron's database when this
// transaction commits.
PGDB_FUNCTION(pgdb_tools_cron_unschedule_at_commit) {
  CronRequest request{
      CronOperation::unschedule, GetUserId(), required_text(fcinfo, 0, "job_name"), {}, {}, 0};
  PG_RETURN_BOOL(request_unschedule(std::move(request)));
}
