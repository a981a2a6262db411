// Runs work in an internal subtransaction, the only safe place to catch a PostgreSQL ERROR and go
// on: on failure the subtransaction rolls back (undoing its changes, releasing its locks and
// resetting PostgreSQL's state) before the exception travels on to the caller. Functions that use
// it must be PARALLEL UNSAFE (no subtransactions in parallel mode).
#pragma once

#include "pg/guard.hpp"

namespace pgdb::pg {

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

}  // namespace pgdb::pg
