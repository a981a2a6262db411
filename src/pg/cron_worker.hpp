// The background worker that acts in pg_cron's database for a backend of another database
// (src/pg/cron.cpp): it connects there as the role that asked, runs one step in one transaction
// of its own, reports the outcome and exits.
#pragma once

#include <cstdint>
#include <string>

#include "pg/postgres.hpp"

namespace pgdb::pg {

enum class CronStep : int32 {
  // At the call to schedule: the id of the role's job of that name for this database, or a new
  // reservation (a job that never runs, see cron_reservation_schedule) taking its place.
  reserve,
  // At the call to unschedule: whether the role has a job of that name for this database
  // (reservations do not count).
  probe,
  // At commit: the job is made or updated (schedule_in_database); it must keep the id reserved.
  schedule,
  // At commit: the role's job of that name for this database, if any, is removed.
  unschedule,
};

// A reservation: a job of the role, named as the job will be, whose schedule never comes due
// (the 31st of February) and whose command does nothing but say what it is. The transaction that
// made it turns it into the job at commit (same id); one whose transaction ended without doing
// so is removed by the next step the role runs for that database.
inline constexpr const char* cron_reservation_schedule = "0 0 31 2 *";
inline constexpr const char* cron_reservation_marker =
    "SELECT 'pgdb_tools: job reserved by transaction ";

struct CronWorkerRequest {
  CronStep step;
  Oid database;  // pg_cron's
  Oid role;
  std::uint64_t caller_xid;   // the caller's top-level FullTransactionId
  std::int64_t expected_job;  // schedule: the id the call returned
  std::string job_name;
  std::string schedule;
  std::string command;
  std::string caller_database;
};

inline constexpr int cron_worker_statement_timeout_ms = 30000;

enum CronWorkerStage : int32 {
  cron_stage_created = 0,
  cron_stage_attached,
  cron_stage_connected,
  cron_stage_finished
};

struct CronWorkerOutcome {
  int stage;       // CronWorkerStage reached
  int sqlerrcode;  // 0: done
  std::int64_t job_id;
  bool found;  // probe: a job exists; unschedule: one was removed
  char message[1024];
  char detail[1024];
  char hint[1024];
};

// Starts the worker and waits until it has ended (interruptibly: a cancel or statement_timeout
// of the waiting statement terminates the worker). Raises 53400 when no worker slot is free.
// Plain C-style: call it inside pg::call.
void run_cron_worker(const CronWorkerRequest& request, CronWorkerOutcome* outcome);

}  // namespace pgdb::pg
