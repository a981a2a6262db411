#include "pg/snapshot.hpp"

#include "pg/guard.hpp"

extern "C" {
#include "utils/snapmgr.h"
}

namespace pgdb::pg {

StatementSnapshot::StatementSnapshot() {
  call([] {
    CommandCounterIncrement();
    if (ActiveSnapshotSet()) {
      PushCopiedSnapshot(GetActiveSnapshot());
      UpdateActiveSnapshotCommandId();
    } else {
      PushActiveSnapshot(GetTransactionSnapshot());
    }
  });
  pending_at_start_ = pending_pg_errors();
}

StatementSnapshot::~StatementSnapshot() {
  if (pending_pg_errors() == pending_at_start_) PopActiveSnapshot();
}

}  // namespace pgdb::pg
