// Runs work in an internal subtransaction, the only safe place to catch a PostgreSQL ERROR and go
// on: on failure the subtransaction rolls back (undoing its changes, releasing its locks and
// resetting PostgreSQL's state) before the exception travels on to the caller. Functions that use
// it must be PARALLEL UNSAFE (no subtransactions in parallel mode).
//
// Code that goes on after a failed step (an error row, a status, a clearer error) uses
// try_in_subtransaction: it hands back only ordinary errors. A cancel, statement_timeout, out of
// memory or shutdown (stops_the_call) always ends the call with its own error.
#pragma once

#include <optional>
#include <string>

#include "core/error.hpp"
#include "pg/guard.hpp"

namespace pgdb::pg {

// An ordinary error a step failed with, after its subtransaction rolled back.
struct StepFailure {
  std::string sqlstate;
  std::string message;
  // "22023: message", the form of maintenance error rows.
  std::string summary() const { return sqlstate + ": " + message; }
};

// FATAL and PANIC never come back as a PgException (PostgreSQL exits or aborts instead of
// longjmp-ing); the elevel test only keeps that true should a future version change it.
inline bool stops_the_call(const PgException& e) noexcept {
  return e.data()->elevel > ERROR || pgdb::stops_the_call(unpack_sql_state(e.sqlerrcode()));
}

template <typename Body>
void in_subtransaction(Body&& body) {
  MemoryContext context = CurrentMemoryContext;
  ResourceOwner owner = CurrentResourceOwner;
  int pending_before = pending_pg_errors();
  call([] { BeginInternalSubTransaction(nullptr); });
  MemoryContextSwitchTo(context);  // keep allocating where the caller did, outliving the subxact
  std::exception_ptr failure;
  try {
    body();
    // Releasing can fail too (another extension's subtransaction callback): roll back then, as
    // PL/pgSQL does.
    call([] { ReleaseCurrentSubTransaction(); });
  } catch (...) {
    failure = std::current_exception();
  }
  if (failure) {
    try {
      call([] { RollbackAndReleaseCurrentSubTransaction(); });
      forget_pending_pg_errors(pending_before);
    } catch (...) {
      // The rollback itself failed: leave that error pending for the guard.
      failure = std::current_exception();
    }
  }
  MemoryContextSwitchTo(context);
  CurrentResourceOwner = owner;
  if (failure) std::rethrow_exception(failure);
}

// Runs body in a subtransaction and hands back the ordinary error (a PostgreSQL ERROR or an Error)
// it failed with, rolled back. Rethrows what must end the call: conditions that stop the call,
// an error whose rollback failed (it stays pending), and any other exception (std::bad_alloc).
// After an ordinary error it checks for interrupts, so that a cancel which arrived while the
// error was handled (interrupts held) still ends the call.
template <typename Body>
[[nodiscard]] std::optional<StepFailure> try_in_subtransaction(Body&& body) {
  const int pending_before = pending_pg_errors();
  std::optional<StepFailure> failure;
  try {
    in_subtransaction(body);
  } catch (const PgException& e) {
    if (pending_pg_errors() != pending_before || stops_the_call(e)) throw;
    failure = StepFailure{unpack_sql_state(e.sqlerrcode()), e.what()};
  } catch (const Error& e) {
    if (pending_pg_errors() != pending_before || pgdb::stops_the_call(e.sqlstate())) throw;
    failure = StepFailure{e.sqlstate(), e.what()};
  }
  if (failure) check_for_interrupts();
  return failure;
}

}  // namespace pgdb::pg
