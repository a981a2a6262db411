// Runs work in an internal subtransaction, the only safe place to catch a PostgreSQL ERROR and go
// on: on failure the subtransaction rolls back (undoing its changes, releasing its locks and
// resetting PostgreSQL's state) before the exception travels on to the caller.
#pragma once

#include "pg/guard.hpp"

namespace pgdb::pg {

template <typename Body>
void in_subtransaction(Body&& body) {
  MemoryContext context = CurrentMemoryContext;
  ResourceOwner owner = CurrentResourceOwner;
  call([] { BeginInternalSubTransaction(nullptr); });
  MemoryContextSwitchTo(context);  // keep allocating where the caller did, outliving the subxact
  std::exception_ptr failure;
  try {
    body();
  } catch (...) {
    failure = std::current_exception();
  }
  if (failure) {
    call([] { RollbackAndReleaseCurrentSubTransaction(); });
  } else {
    call([] { ReleaseCurrentSubTransaction(); });
  }
  MemoryContextSwitchTo(context);
  CurrentResourceOwner = owner;
  if (failure) std::rethrow_exception(failure);
}

}  // namespace pgdb::pg
