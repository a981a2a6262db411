// History tables kept open for writing (history_open_pg.cpp): the trigger writes an event per
// row, and opening the table, its indexes and an executor state for each one cost about as much as
// the write itself. A kept table lives until the next utility statement of the session (so that
// ALTER, DROP, TRUNCATE of it in the same transaction find it closed), a relcache invalidation
// of it, the abort of the subtransaction that opened it, or the end of the transaction.
#pragma once

extern "C" {
#include "postgres.h"

#include "executor/executor.h"
#include "utils/rel.h"
}

namespace pgdb::triggers {

// What a direct write of one event needs: the table, its indexes (in info) and a slot of its
// shape; estate's per-tuple context is reset by each kept_history call.
struct KeptHistory {
  Relation rel;
  EState* estate;
  ResultRelInfo* info;
  TupleTableSlot* slot;
};

// The history table relid, open for writing: the kept one, or opened now (RowExclusiveLock taken
// as table_open takes it, which may process invalidations). PostgreSQL code: call it inside
// pg::call.
KeptHistory* kept_history(Oid relid);

// Registers the callbacks that close kept tables; from _PG_init.
void init_kept_histories();

}  // namespace pgdb::triggers
