#include "pg/compat.hpp"
#include "pg/cron.hpp"

#include <cstdint>
#include <string>
#include <vector>

#include "core/cron_requests.hpp"
#include "core/error.hpp"
#include "core/xact_journal.hpp"
#include "pg/datum.hpp"
#include "pg/guard.hpp"
#include "pg/quote.hpp"
#include "pg/xact.hpp"

extern "C" {
#include "catalog/pg_authid.h"
#include "catalog/pg_database.h"
#include "catalog/pg_type.h"
#include "commands/dbcommands.h"
#include "mb/pg_wchar.h"
#include "postmaster/bgworker.h"
#include "storage/dsm.h"
#include "storage/ipc.h"
#include "tcop/tcopprot.h"
#include "utils/acl.h"
#include "utils/backend_status.h"
#include "utils/guc.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timeout.h"
}

// The background worker's entry point, called by PostgreSQL's postmaster machinery.
extern "C" PGDLLEXPORT void pgdb_tools_cron_worker(Datum main_arg);

namespace pgdb::pg {

namespace {

// A lock wait in pg_cron's database must not hold a commit forever.
constexpr int worker_statement_timeout_ms = 30000;
constexpr std::uint32_t task_magic = 0x70676372;

enum TaskStage : int32 { stage_created = 0, stage_attached, stage_connected, stage_finished };

// What the committing backend and its worker share, in a DSM segment: the request, then the
// outcome. The strings follow the struct (job name, schedule, command, the caller's database),
// each ended by a zero byte; their lengths were bounded when the request was made.
struct CronTask {
  std::uint32_t magic;
  int32 operation;  // CronOperation
  Oid database;     // pg_cron's
  Oid role;
  std::uint32_t job_name_len;
  std::uint32_t schedule_len;
  std::uint32_t command_len;
  std::uint32_t caller_database_len;
  // the outcome, written by the worker
  int32 stage;
  int32 sqlerrcode;  // 0: done
  int64 job_id;
  bool removed;
  char message[1024];
  char detail[1024];
  char hint[1024];
};

char* task_strings(CronTask* task) {
  return reinterpret_cast<char*>(task) + MAXALIGN(sizeof(CronTask));
}

// Copies at most size - 1 bytes of source, cut at a character boundary of the server encoding.
void copy_clipped(char* target, std::size_t size, const char* source) {
  if (source == nullptr) {
    target[0] = '\0';
    return;
  }
  int len = static_cast<int>(strnlen(source, size - 1));
  len = pg_mbcliplen(source, len, len);
  std::memcpy(target, source, static_cast<std::size_t>(len));
  target[len] = '\0';
}

// The worker's one transaction: the fixed statement, its values bound, search_path pinned.
void run_task(CronTask* task) {
  char* strings = task_strings(task);
  const char* job_name = strings;
  const char* schedule = job_name + task->job_name_len + 1;
  const char* command = schedule + task->schedule_len + 1;
  const char* caller_database = command + task->command_len + 1;
  MemoryContext worker_context = CurrentMemoryContext;

  SetCurrentStatementStartTimestamp();
  StartTransactionCommand();
  PG_TRY();
  {
    // The role's own settings (ALTER ROLE ... SET role) must not make the worker another role.
    if (GetUserId() != task->role)
      ereport(ERROR,
              (errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
               errmsg("connected as the role that asked, the background worker is role \"%s\"",
                      GetUserNameFromId(GetUserId(), false)),
               errdetail("A setting of the role (ALTER ROLE ... SET role) changes the current "
                         "user of its sessions, so its pg_cron jobs would run as another role."),
               errhint("A superuser removes the setting (ALTER ROLE ... RESET role, see "
                       "pg_db_role_setting), or schedule as another role.")));
    SetConfigOption("search_path", "pg_catalog, pg_temp", PGC_SUSET, PGC_S_OVERRIDE);
    enable_timeout_after(STATEMENT_TIMEOUT, worker_statement_timeout_ms);
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
    PushActiveSnapshot(GetTransactionSnapshot());
    const char* sql;
    Oid types[4] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID};
    Datum values[4];
    int nargs;
    if (task->operation == static_cast<int32>(CronOperation::schedule)) {
      // All six arguments, so that no other overload can be the one called; username NULL: pg_cron
      // uses the connected role.
      sql = "SELECT cron.schedule_in_database($1, $2, $3, $4, NULL::pg_catalog.text, true)";
      values[0] = CStringGetTextDatum(job_name);
      values[1] = CStringGetTextDatum(schedule);
      values[2] = CStringGetTextDatum(command);
      values[3] = CStringGetTextDatum(caller_database);
      nargs = 4;
    } else {
      sql =
          "SELECT cron.unschedule(j.jobid) FROM cron.job j "
          "WHERE j.jobname OPERATOR(pg_catalog.=) $1::pg_catalog.name "
          "AND j.username OPERATOR(pg_catalog.=) CURRENT_USER::pg_catalog.text "
          "AND j.database OPERATOR(pg_catalog.=) $2";
      values[0] = CStringGetTextDatum(job_name);
      values[1] = CStringGetTextDatum(caller_database);
      nargs = 2;
    }
    pgstat_report_activity(STATE_RUNNING, sql);
    int rc = SPI_execute_with_args(sql, nargs, types, values, nullptr, false, 0);
    if (rc != SPI_OK_SELECT) elog(ERROR, "SPI_execute_with_args returned %d", rc);
    if (task->operation == static_cast<int32>(CronOperation::schedule)) {
      bool isnull = true;
      Datum job = SPI_processed == 1
                      ? SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)
                      : static_cast<Datum>(0);
      task->job_id = isnull ? 0 : DatumGetInt64(job);
    } else {
      task->removed = SPI_processed > 0;
    }
    SPI_finish();
    PopActiveSnapshot();
    disable_timeout(STATEMENT_TIMEOUT, false);
    CommitTransactionCommand();
    pgstat_report_activity(STATE_IDLE, nullptr);
  }
  PG_CATCH();
  {
    disable_all_timeouts(false);
    MemoryContextSwitchTo(worker_context);
    ErrorData* error = CopyErrorData();
    FlushErrorState();
    task->sqlerrcode = error->sqlerrcode != 0 ? error->sqlerrcode : ERRCODE_INTERNAL_ERROR;
    copy_clipped(task->message, sizeof(task->message), error->message);
    copy_clipped(task->detail, sizeof(task->detail), error->detail);
    copy_clipped(task->hint, sizeof(task->hint), error->hint);
    AbortCurrentTransaction();
  }
  PG_END_TRY();
}

struct CronRequest {
  CronOperation operation;
  Oid role;  // the current user when the request was made
  std::string job_name;
  std::string schedule;
  std::string command;
};

XactJournal<CronRequest> requests;

// What the committing backend learns of one request, in fixed buffers.
struct Outcome {
  int status;  // BgwHandleStatus once the worker was waited for
  int stage;
  int sqlerrcode;
  int64 job_id;
  bool removed;
  char message[1024];
  char detail[1024];
  char hint[1024];
};

// Starts the worker for request and waits until it has ended (interruptibly: a cancel or
// statement_timeout of the committing statement terminates the worker and aborts the commit).
// Plain C-style: runs inside pg::call.
void run_in_worker(const CronRequest& request, Oid database, const char* caller_database,
                   Outcome* outcome) {
  std::size_t db_len = std::strlen(caller_database);
  Size size = MAXALIGN(sizeof(CronTask)) + request.job_name.size() + request.schedule.size() +
              request.command.size() + db_len + 4;
  dsm_segment* segment = dsm_create(size, 0);
  CronTask* task = static_cast<CronTask*>(dsm_segment_address(segment));
  std::memset(task, 0, sizeof(CronTask));
  task->magic = task_magic;
  task->operation = static_cast<int32>(request.operation);
  task->database = database;
  task->role = request.role;
  task->job_name_len = static_cast<std::uint32_t>(request.job_name.size());
  task->schedule_len = static_cast<std::uint32_t>(request.schedule.size());
  task->command_len = static_cast<std::uint32_t>(request.command.size());
  task->caller_database_len = static_cast<std::uint32_t>(db_len);
  char* at = task_strings(task);
  for (const char* text : {request.job_name.c_str(), request.schedule.c_str(),
                           request.command.c_str(), caller_database}) {
    std::size_t len = std::strlen(text);
    std::memcpy(at, text, len + 1);
    at += len + 1;
  }

  BackgroundWorker worker;
  std::memset(&worker, 0, sizeof(worker));
  worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
  worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
  worker.bgw_restart_time = BGW_NEVER_RESTART;
  strlcpy(worker.bgw_library_name, "$libdir/pgdb_tools", BGW_MAXLEN);  // module_pathname
  strlcpy(worker.bgw_function_name, "pgdb_tools_cron_worker", BGW_MAXLEN);
  snprintf(worker.bgw_name, BGW_MAXLEN, "pgdb_tools scheduling for PID %d", MyProcPid);
  strlcpy(worker.bgw_type, "pgdb_tools scheduling", BGW_MAXLEN);
  worker.bgw_main_arg = UInt32GetDatum(dsm_segment_handle(segment));
  worker.bgw_notify_pid = MyProcPid;
  BackgroundWorkerHandle* handle = nullptr;
  if (!RegisterDynamicBackgroundWorker(&worker, &handle))
    ereport(ERROR,
            (errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
             errmsg("no background worker slot is free to make the pg_cron job in database "
                    "\"%s\"",
                    get_database_name(database)),
             errdetail("The job is made, just before the transaction commits, by a background "
                       "worker connected to pg_cron's database; the transaction was rolled back."),
             errhint("Retry when fewer background workers run, or raise max_worker_processes "
                     "(a restart).")));
  PG_TRY();
  {
    pid_t pid;
    BgwHandleStatus status = WaitForBackgroundWorkerStartup(handle, &pid);
    if (status == BGWH_STARTED) status = WaitForBackgroundWorkerShutdown(handle);
    outcome->status = status;
  }
  PG_CATCH();
  {
    TerminateBackgroundWorker(handle);
    PG_RE_THROW();
  }
  PG_END_TRY();
  pg_read_barrier();
  outcome->stage = task->stage;
  outcome->sqlerrcode = task->sqlerrcode;
  outcome->job_id = task->job_id;
  outcome->removed = task->removed;
  // The worker wrote them in pg_cron's database's encoding; one that is not valid here is not
  // shown.
  for (auto [target, source] :
       {std::pair{outcome->message, task->message}, std::pair{outcome->detail, task->detail},
        std::pair{outcome->hint, task->hint}}) {
    source[sizeof(task->message) - 1] = '\0';
    if (pg_verifymbstr(source, static_cast<int>(std::strlen(source)), true))
      strlcpy(target, source, sizeof(outcome->message));
    else
      strlcpy(target, "(a message not valid in this database's encoding)",
              sizeof(outcome->message));
  }
  dsm_detach(segment);
}

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

void add_request(CronRequest request) {
  bound(request.job_name, cron_max_name_bytes, "job_name");
  bound(request.schedule, cron_max_schedule_bytes, "schedule");
  bound(request.command, cron_max_command_bytes, "command");
  if (request.job_name.find('\0') != std::string::npos || request.job_name.empty())
    throw Error(sqlstate::invalid_parameter_value, "job_name must not be empty");
  if (call([] { return InSecurityRestrictedOperation(); }))
    throw Error(sqlstate::insufficient_privilege,
                "cannot schedule pg_cron jobs during a security-restricted operation");
  CronDatabase cron = cron_database();
  std::string caller_database = database_name(MyDatabaseId);
  require_worker_may_connect(request, cron, caller_database);
  std::string role = role_name(request.role);
  std::string message;
  std::string detail;
  if (request.operation == CronOperation::schedule) {
    message = "pg_cron job \"" + request.job_name + "\" will be made in database \"" + cron.name +
              "\" when this transaction commits";
    detail = "It will run in database \"" + caller_database + "\" as role \"" + role + "\".";
  } else {
    message = "pg_cron job \"" + request.job_name + "\" of role \"" + role +
              "\" will be removed from database \"" + cron.name +
              "\" when this transaction commits";
    detail = "Only the job of that role for database \"" + caller_database + "\" is removed.";
  }
  requests.add(current_subxact(), std::move(request));
  const char* message_text = message.c_str();
  const char* detail_text = detail.c_str();
  call([message_text, detail_text] {
    ereport(NOTICE, (errmsg_internal("%s", message_text), errdetail_internal("%s", detail_text)));
  });
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
    return "The statement waited " + std::to_string(worker_statement_timeout_ms / 1000) +
           " seconds in database " + cron_db +
           " (a lock on cron.job held by another session?); retry the transaction.";
  return worker_hint;
}

void carry_out(const CronRequest& request, const CronDatabase& cron,
               const std::string& caller_database) {
  require_worker_may_connect(request, cron, caller_database);
  std::string role = role_name(request.role);
  Outcome outcome;
  std::memset(&outcome, 0, sizeof(outcome));
  Oid cron_oid = cron.oid;
  const char* caller_db = caller_database.c_str();
  Outcome* out = &outcome;
  call([&request, cron_oid, caller_db, out] { run_in_worker(request, cron_oid, caller_db, out); });
  const std::string what =
      (request.operation == CronOperation::schedule ? "could not make pg_cron job \""
                                                    : "could not remove pg_cron job \"") +
      request.job_name + "\" in database \"" + cron.name + "\" as role \"" + role + "\"";
  if (outcome.stage < stage_connected)
    throw Error("08006", what + ": the background worker did not connect",
                "The server log says why (pg_cron's database does not allow connections, or the "
                "role was dropped meanwhile).");
  if (outcome.stage < stage_finished)
    throw Error("08006", what + ": the background worker ended before it finished",
                "It was terminated or failed; the server log says why. Whether the job changed "
                "shows in cron.job there.");
  if (outcome.sqlerrcode != 0) {
    const char* state = unpack_sql_state(outcome.sqlerrcode);
    throw Error(state, what + ": " + outcome.message, outcome.detail,
                hint_for(outcome.sqlerrcode, request.operation, cron.name, role, outcome.hint));
  }
  if (request.operation == CronOperation::unschedule && !outcome.removed) {
    std::string message = "role \"" + role + "\" had no pg_cron job \"" + request.job_name +
                          "\" for database \"" + caller_database + "\" to remove";
    notice(message);
  }
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
  for (std::size_t position : deciding_requests(keys))
    carry_out(pending[position], cron, caller_database);
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

// The worker: connects to pg_cron's database as the role that asked, runs the request in one
// transaction, reports into the segment and exits. Every error is caught and reported; one that
// happens while connecting (FATAL) ends the process, and the backend sees that it never connected.
void pgdb_tools_cron_worker(Datum main_arg) {
  pqsignal(SIGTERM, die);
  BackgroundWorkerUnblockSignals();
  dsm_segment* segment = dsm_attach(DatumGetUInt32(main_arg));
  if (segment == nullptr) proc_exit(0);  // the backend has gone
  CronTask* task = static_cast<CronTask*>(dsm_segment_address(segment));
  if (task->magic != task_magic) proc_exit(0);
  task->stage = stage_attached;
  BackgroundWorkerInitializeConnectionByOid(task->database, task->role, 0);
  task->stage = stage_connected;
  pgstat_report_appname("pgdb_tools scheduling");
  run_task(task);
  pg_write_barrier();
  task->stage = stage_finished;
  dsm_detach(segment);
  proc_exit(0);
}

// _cron_schedule_at_commit(job_name text, schedule text, command text) RETURNS void: the current
// user's pg_cron job job_name, running command on schedule in this database, is made (or
// replaced) in pg_cron's database when this transaction commits.
PGDB_FUNCTION(pgdb_tools_cron_schedule_at_commit) {
  CronRequest request{CronOperation::schedule, GetUserId(), required_text(fcinfo, 0, "job_name"),
                      required_text(fcinfo, 1, "schedule"), required_text(fcinfo, 2, "command")};
  add_request(std::move(request));
  PG_RETURN_VOID();
}

// _cron_unschedule_at_commit(job_name text) RETURNS void: the current user's pg_cron job job_name
// for this database, if there is one, is removed from pg_cron's database when this transaction
// commits.
PGDB_FUNCTION(pgdb_tools_cron_unschedule_at_commit) {
  CronRequest request{
      CronOperation::unschedule, GetUserId(), required_text(fcinfo, 0, "job_name"), {}, {}};
  add_request(std::move(request));
  PG_RETURN_VOID();
}
