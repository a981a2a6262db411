#include "pg/cron_worker.hpp"

#include <cinttypes>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>

extern "C" {
#include "catalog/pg_type.h"
#include "commands/dbcommands.h"
#include "mb/pg_wchar.h"
#include "postmaster/bgworker.h"
#include "storage/dsm.h"
#include "storage/ipc.h"
#include "tcop/tcopprot.h"
#include "utils/backend_status.h"
#include "utils/guc.h"
#include "utils/snapmgr.h"
#include "utils/timeout.h"
}

// The background worker's entry point, called by PostgreSQL's postmaster machinery.
extern "C" PGDLLEXPORT void pgdb_tools_cron_worker(Datum main_arg);

namespace pgdb::pg {

namespace {

constexpr std::uint32_t task_magic = 0x70676372;

// What the backend and its worker share, in a DSM segment: the request, then the outcome. The
// strings follow the struct (job name, schedule, command, the caller's database), each ended by
// a zero byte; their lengths were bounded when the request was made.
struct CronTask {
  std::uint32_t magic;
  int32 step;    // CronStep
  Oid database;  // pg_cron's
  Oid role;
  std::uint64_t caller_xid;
  std::int64_t expected_job;
  std::uint32_t lengths[4];
  // the outcome, written by the worker
  int32 stage;
  int32 sqlerrcode;  // 0: done
  std::int64_t job_id;
  bool found;
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

// The texts a task carries, as the worker reads them.
struct TaskTexts {
  const char* job_name;
  const char* schedule;
  const char* command;
  const char* caller_database;
};

TaskTexts task_texts(CronTask* task) {
  const char* at = task_strings(task);
  const char* texts[4];
  for (int i = 0; i < 4; ++i) {
    texts[i] = at;
    at += task->lengths[i] + 1;
  }
  return {texts[0], texts[1], texts[2], texts[3]};
}

// Runs sql with text arguments (search_path is pinned by the caller); returns the rows it gave.
uint64 run_sql(const char* sql, std::initializer_list<const char*> args) {
  Oid types[4];
  Datum values[4];
  int nargs = 0;
  for (const char* arg : args) {
    types[nargs] = TEXTOID;
    values[nargs] = CStringGetTextDatum(arg);
    ++nargs;
  }
  pgstat_report_activity(STATE_RUNNING, sql);
  int rc = SPI_execute_with_args(sql, nargs, types, values, nullptr, false, 0);
  if (rc < 0) elog(ERROR, "SPI_execute_with_args returned %d", rc);
  return SPI_processed;
}

Datum column(int number, bool* isnull) {
  return SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, number, isnull);
}

// A reservation whose transaction has ended (committed, aborted or long forgotten) without making
// it the job is removed; one of a transaction still in progress is left to it, and one named
// keep is left to be reused.
void sweep_reservations(const TaskTexts& texts, const char* keep) {
  run_sql(
      "SELECT pg_catalog.count(cron.unschedule(j.jobid)) FROM cron.job j "
      "CROSS JOIN LATERAL (SELECT pg_catalog.substring(j.command, $3)::pg_catalog.xid8 AS xid) r "
      "WHERE j.username OPERATOR(pg_catalog.=) CURRENT_USER::pg_catalog.text "
      "AND j.database OPERATOR(pg_catalog.=) $1 AND pg_catalog.starts_with(j.command, $2) "
      "AND j.jobname::pg_catalog.text OPERATOR(pg_catalog.<>) $4 "
      "AND CASE WHEN r.xid IS NULL THEN true "
      "WHEN r.xid OPERATOR(pg_catalog.>=) "
      "pg_catalog.pg_snapshot_xmax(pg_catalog.pg_current_snapshot()) THEN false "
      "ELSE pg_catalog.pg_xact_status(r.xid) IS DISTINCT FROM 'in progress' END",
      {texts.caller_database, cron_reservation_marker,
       "^SELECT 'pgdb_tools: job reserved by transaction ([0-9]{1,19}),", keep});
}

int64 schedule_in_database(const TaskTexts& texts, const char* schedule, const char* command) {
  // All six arguments, so that no other overload can be the one called; username NULL: pg_cron
  // uses the connected role.
  run_sql("SELECT cron.schedule_in_database($1, $2, $3, $4, NULL::pg_catalog.text, true)",
          {texts.job_name, schedule, command, texts.caller_database});
  bool isnull = true;
  Datum job = SPI_processed == 1 ? column(1, &isnull) : static_cast<Datum>(0);
  if (isnull) elog(ERROR, "cron.schedule_in_database returned no job id");
  return DatumGetInt64(job);
}

// The command of the caller's reservation: the marker, its transaction, and the rest of the text.
struct ReservationCommand {
  char text[200];
  explicit ReservationCommand(const CronTask* task) {
    snprintf(text, sizeof(text), "%s%" PRIu64 ", not committed yet'", cron_reservation_marker,
             task->caller_xid);
  }
};

// pg_cron parses a schedule only when a job is made: one is made and rolled back (a
// subtransaction), so that a schedule it refuses fails the call, not the commit.
void check_schedule(const TaskTexts& texts) {
  MemoryContext context = CurrentMemoryContext;
  ResourceOwner owner = CurrentResourceOwner;
  BeginInternalSubTransaction(nullptr);
  TaskTexts check = texts;
  check.job_name = "pgdb_tools_schedule_check";
  schedule_in_database(check, texts.schedule, "SELECT 1");
  RollbackAndReleaseCurrentSubTransaction();
  MemoryContextSwitchTo(context);
  CurrentResourceOwner = owner;
}

void reserve(CronTask* task, const TaskTexts& texts) {
  check_schedule(texts);
  sweep_reservations(texts, texts.job_name);
  run_sql(
      "SELECT j.jobid, j.database, pg_catalog.starts_with(j.command, $2) FROM cron.job j "
      "WHERE j.jobname::pg_catalog.text OPERATOR(pg_catalog.=) $1 "
      "AND j.username OPERATOR(pg_catalog.=) CURRENT_USER::pg_catalog.text",
      {texts.job_name, cron_reservation_marker});
  if (SPI_processed == 1) {
    bool isnull;
    int64 job = DatumGetInt64(column(1, &isnull));
    char* database = TextDatumGetCString(column(2, &isnull));
    bool reservation = DatumGetBool(column(3, &isnull));
    if (strcmp(database, texts.caller_database) != 0)
      ereport(ERROR,
              (errcode(ERRCODE_DUPLICATE_OBJECT),
               errmsg("role \"%s\" already has pg_cron job \"%s\" (job %" PRId64
                      "), for database \"%s\"",
                      GetUserNameFromId(GetUserId(), false), texts.job_name, job, database),
               errdetail("pg_cron names jobs per role across the cluster and would update that "
                         "job instead of making one for database \"%s\".",
                         texts.caller_database),
               errhint("Remove it first, as that role in database \"%s\": SELECT "
                       "cron.unschedule(%" PRId64 ");",
                       get_database_name(MyDatabaseId), job)));
    if (!reservation) {
      task->job_id = job;
      return;
    }
  }
  // None yet (or a reservation, now taken over by this transaction): reserve the id.
  ReservationCommand command(task);
  task->job_id = schedule_in_database(texts, cron_reservation_schedule, command.text);
}

void probe(CronTask* task, const TaskTexts& texts) {
  sweep_reservations(texts, "");
  run_sql(
      "SELECT 1 FROM cron.job j WHERE j.jobname::pg_catalog.text OPERATOR(pg_catalog.=) $1 "
      "AND j.username OPERATOR(pg_catalog.=) CURRENT_USER::pg_catalog.text "
      "AND j.database OPERATOR(pg_catalog.=) $2 AND NOT pg_catalog.starts_with(j.command, $3)",
      {texts.job_name, texts.caller_database, cron_reservation_marker});
  task->found = SPI_processed > 0;
}

void schedule(CronTask* task, const TaskTexts& texts) {
  int64 job = schedule_in_database(texts, texts.schedule, texts.command);
  if (job != task->expected_job)
    ereport(ERROR, (errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
                    errmsg("pg_cron job %" PRId64 " was removed by another session since this "
                           "transaction scheduled it",
                           task->expected_job),
                    errdetail("The job would now be job %" PRId64
                              ", not the one the call returned; nothing was made.",
                              job),
                    errhint("Retry the transaction.")));
  task->job_id = job;
}

void unschedule(CronTask* task, const TaskTexts& texts) {
  sweep_reservations(texts, "");
  task->found =
      run_sql(
          "SELECT cron.unschedule(j.jobid) FROM cron.job j "
          "WHERE j.jobname::pg_catalog.text OPERATOR(pg_catalog.=) $1 "
          "AND j.username OPERATOR(pg_catalog.=) CURRENT_USER::pg_catalog.text "
          "AND j.database OPERATOR(pg_catalog.=) $2 AND NOT pg_catalog.starts_with(j.command, $3)",
          {texts.job_name, texts.caller_database, cron_reservation_marker}) > 0;
  // and this transaction's own reservation of that name, if it made one (another transaction's
  // is its own to make the job of)
  ReservationCommand command(task);
  run_sql(
      "SELECT cron.unschedule(j.jobid) FROM cron.job j "
      "WHERE j.jobname::pg_catalog.text OPERATOR(pg_catalog.=) $1 "
      "AND j.username OPERATOR(pg_catalog.=) CURRENT_USER::pg_catalog.text "
      "AND j.database OPERATOR(pg_catalog.=) $2 AND j.command OPERATOR(pg_catalog.=) $3",
      {texts.job_name, texts.caller_database, command.text});
}

void run_step(CronTask* task) {
  TaskTexts texts = task_texts(task);
  switch (static_cast<CronStep>(task->step)) {
    case CronStep::reserve:
      reserve(task, texts);
      break;
    case CronStep::probe:
      probe(task, texts);
      break;
    case CronStep::schedule:
      schedule(task, texts);
      break;
    case CronStep::unschedule:
      unschedule(task, texts);
      break;
  }
}

// The worker's one transaction: the step, its values bound, search_path pinned.
void run_task(CronTask* task) {
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
    enable_timeout_after(STATEMENT_TIMEOUT, cron_worker_statement_timeout_ms);
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
    PushActiveSnapshot(GetTransactionSnapshot());
    run_step(task);
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

dsm_segment* make_task(const CronWorkerRequest& request) {
  const std::string* texts[4] = {&request.job_name, &request.schedule, &request.command,
                                 &request.caller_database};
  Size size = MAXALIGN(sizeof(CronTask));
  for (const std::string* text : texts) size += text->size() + 1;
  dsm_segment* segment = dsm_create(size, 0);
  CronTask* task = static_cast<CronTask*>(dsm_segment_address(segment));
  std::memset(task, 0, sizeof(CronTask));
  task->magic = task_magic;
  task->step = static_cast<int32>(request.step);
  task->database = request.database;
  task->role = request.role;
  task->caller_xid = request.caller_xid;
  task->expected_job = request.expected_job;
  char* at = task_strings(task);
  for (int i = 0; i < 4; ++i) {
    task->lengths[i] = static_cast<std::uint32_t>(texts[i]->size());
    std::memcpy(at, texts[i]->c_str(), texts[i]->size() + 1);
    at += texts[i]->size() + 1;
  }
  return segment;
}

BackgroundWorkerHandle* start_worker(dsm_segment* segment, Oid database) {
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
  if (!RegisterDynamicBackgroundWorker(&worker, &handle)) {
    dsm_detach(segment);
    ereport(ERROR,
            (errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
             errmsg("no background worker slot is free to reach pg_cron's database \"%s\"",
                    get_database_name(database)),
             errdetail("pg_cron jobs of another database are looked up, reserved and made by a "
                       "background worker connected to pg_cron's database."),
             errhint("Retry when fewer background workers run, or raise max_worker_processes "
                     "(a restart).")));
  }
  return handle;
}

void read_outcome(CronTask* task, CronWorkerOutcome* outcome) {
  pg_read_barrier();
  outcome->stage = task->stage;
  outcome->sqlerrcode = task->sqlerrcode;
  outcome->job_id = task->job_id;
  outcome->found = task->found;
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
}

}  // namespace

void run_cron_worker(const CronWorkerRequest& request, CronWorkerOutcome* outcome) {
  dsm_segment* segment = make_task(request);
  BackgroundWorkerHandle* handle = start_worker(segment, request.database);
  PG_TRY();
  {
    pid_t pid;
    BgwHandleStatus status = WaitForBackgroundWorkerStartup(handle, &pid);
    if (status == BGWH_STARTED) WaitForBackgroundWorkerShutdown(handle);
  }
  PG_CATCH();
  {
    TerminateBackgroundWorker(handle);
    PG_RE_THROW();
  }
  PG_END_TRY();
  read_outcome(static_cast<CronTask*>(dsm_segment_address(segment)), outcome);
  dsm_detach(segment);
}

}  // namespace pgdb::pg

using namespace pgdb::pg;

// The worker: connects to pg_cron's database as the role that asked, runs the step in one
// transaction, reports into the segment and exits. Every error is caught and reported; one that
// happens while connecting (FATAL) ends the process, and the backend sees that it never connected.
void pgdb_tools_cron_worker(Datum main_arg) {
  pqsignal(SIGTERM, die);
  BackgroundWorkerUnblockSignals();
  dsm_segment* segment = dsm_attach(DatumGetUInt32(main_arg));
  if (segment == nullptr) proc_exit(0);  // the backend has gone
  CronTask* task = static_cast<CronTask*>(dsm_segment_address(segment));
  if (task->magic != task_magic) proc_exit(0);
  task->stage = cron_stage_attached;
  BackgroundWorkerInitializeConnectionByOid(task->database, task->role, 0);
  task->stage = cron_stage_connected;
  pgstat_report_appname("pgdb_tools scheduling");
  run_task(task);
  pg_write_barrier();
  task->stage = cron_stage_finished;
  dsm_detach(segment);
  proc_exit(0);
}
