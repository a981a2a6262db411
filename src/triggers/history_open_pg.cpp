// History tables kept open across the rows of a statement and the statements of a transaction
// (history_open.hpp). The relation and index references, the indexes' locks and the memory belong
// to the top transaction (its resource owner and a context under TopTransactionContext), so a
// kept table outlives the portal and the subtransaction it was opened in without leaking; the
// table's own RowExclusiveLock is taken as table_open takes it, by the current resource owner, so
// ROLLBACK TO SAVEPOINT releases it as PostgreSQL would, and the subtransaction's abort closes the
// kept table. Everything here that calls PostgreSQL is plain C-style: no C++ object with a
// destructor is alive across those calls.
#include <array>
#include <cstddef>

#include "core/xact_journal.hpp"
#include "pg/utility.hpp"
#include "pg/xact.hpp"
#include "triggers/executor_support.hpp"
#include "triggers/history_open.hpp"

extern "C" {
#include "access/table.h"
#include "access/tableam.h"
#include "storage/lmgr.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
}

namespace pgdb::triggers {

namespace {

struct Kept {
  Oid relid = InvalidOid;  // InvalidOid: a free slot
  bool stale = false;      // invalidated: closed and opened again before the next write
  SubxactId subxact = 0;   // whose lock on the table the kept table relies on
  MemoryContext memory = nullptr;
  KeptHistory open{};
};
std::array<Kept, 8> kept{};

void close_kept(Kept& entry) {
  ResourceOwner saved = CurrentResourceOwner;
  CurrentResourceOwner = TopTransactionResourceOwner;
  ExecDropSingleTupleTableSlot(entry.open.slot);
  ExecCloseIndices(entry.open.info);
  FreeExecutorState(entry.open.estate);
  table_close(entry.open.rel, NoLock);
  CurrentResourceOwner = saved;
  MemoryContextDelete(entry.memory);
  entry = Kept{};
}

void close_all() {
  for (Kept& entry : kept)
    if (OidIsValid(entry.relid)) close_kept(entry);
}

void open_kept(Kept& entry, Oid relid) {
  LockRelationOid(relid, RowExclusiveLock);
  MemoryContext memory =
      AllocSetContextCreate(TopTransactionContext, "pgdb_tools kept history", ALLOCSET_SMALL_SIZES);
  MemoryContext caller = MemoryContextSwitchTo(memory);
  ResourceOwner saved = CurrentResourceOwner;
  CurrentResourceOwner = TopTransactionResourceOwner;
  Relation rel = table_open(relid, NoLock);
  EState* estate = CreateExecutorState();
  ResultRelInfo* info = makeNode(ResultRelInfo);
  InitResultRelInfo(info, rel, 0, nullptr, 0);
  ExecOpenIndices(info, false);
  TupleTableSlot* slot = table_slot_create(rel, nullptr);
  CurrentResourceOwner = saved;
  MemoryContextSwitchTo(caller);
  entry.relid = relid;
  entry.stale = false;
  entry.subxact = pg::current_subxact();
  entry.memory = memory;
  entry.open = KeptHistory{rel, estate, info, slot};
}

// Relcache invalidations mark the kept table stale (the callback must not close anything).
class KeptInvalidation final : public CacheBase {
 public:
  void forget(Oid relid) noexcept override {
    for (Kept& entry : kept)
      if (OidIsValid(entry.relid) && (relid == InvalidOid || entry.relid == relid))
        entry.stale = true;
  }
};
KeptInvalidation invalidation;

class KeptLifetime final : public XactListener {
 public:
  void on_subxact_commit(SubxactId committed, SubxactId parent) noexcept override {
    for (Kept& entry : kept)
      if (OidIsValid(entry.relid) && entry.subxact == committed) entry.subxact = parent;
  }
  // Before the subtransaction's resource owner and relcache entries are cleaned up: a table
  // created in it would otherwise keep a relcache entry PostgreSQL must drop.
  void on_subxact_abort(SubxactId aborted) noexcept override {
    for (Kept& entry : kept)
      if (OidIsValid(entry.relid) && entry.subxact >= aborted) close_kept(entry);
  }
  // Commit and prepare closed everything before; an abort's resource owner releases the
  // references and its memory goes with TopTransactionContext.
  void on_xact_end() noexcept override { kept.fill(Kept{}); }
};
KeptLifetime lifetime;

}  // namespace

KeptHistory* kept_history(Oid relid) {
  Kept* free_slot = nullptr;
  for (Kept& entry : kept) {
    if (entry.relid == relid) {
      if (!entry.stale) {
        ResetPerTupleExprContext(entry.open.estate);
        return &entry.open;
      }
      close_kept(entry);
    }
    if (!OidIsValid(entry.relid) && free_slot == nullptr) free_slot = &entry;
  }
  if (free_slot == nullptr) {
    free_slot = &kept[0];
    close_kept(*free_slot);
  }
  open_kept(*free_slot, relid);
  return &free_slot->open;
}

void init_kept_histories() {
  pg::register_xact_listener(lifetime);
  pg::register_pre_commit_hook(close_all);
  pg::register_pre_prepare_hook(close_all);
  pg::register_before_utility(close_all);
}

}  // namespace pgdb::triggers
