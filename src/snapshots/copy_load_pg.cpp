// COPY text into a new stored copy (snapshot_import): COPY's own parser (BeginCopyFrom /
// NextCopyFrom, so every value goes through its type's input function with the column's typmod,
// as COPY FROM does) feeding batches of table_multi_insert, with each row added to the content
// hash in the same pass, by the rule of row_hash_pg.hpp; the copy is not scanned again to hash it.
#include "snapshots/row_hash_pg.hpp"
#include "snapshots/store_pg.hpp"

extern "C" {
#include "access/heapam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "commands/copy.h"
#include "executor/executor.h"
#include "executor/tuptable.h"
#include "nodes/makefuncs.h"
#include "parser/parse_relation.h"
#include "utils/datum.h"
#include "utils/memutils.h"
#include "utils/rel.h"
}

namespace pgdb::snapshots {

namespace {

constexpr int batch_size = 1000;
// A batch is also flushed once its values hold this many bytes (as COPY FROM flushes its
// multi-insert buffers by bytes too): rows of 100 MB values are not all held until the 1000th.
constexpr std::size_t batch_bytes = 1u << 20;

// The copy's batch slots and their bulk insert: plain PostgreSQL state, released by the
// rollback when an ERROR ends the call.
struct Batch {
  TupleTableSlot** slots = nullptr;
  int pending = 0;
  std::size_t bytes = 0;
  BulkInsertState bulk = nullptr;
  CommandId cid = 0;
};

void flush(Relation rel, Batch& b) {
  if (b.pending == 0) return;
  table_multi_insert(rel, b.slots, b.pending, b.cid, TABLE_INSERT_SKIP_FSM, b.bulk);
  for (int i = 0; i < b.pending; ++i) ExecClearTuple(b.slots[i]);
  b.pending = 0;
  b.bytes = 0;
}

}  // namespace

std::uint64_t load_copy_text(Oid relid, int (*source)(void*, int, int), const std::string& encoding,
                             ContentHash& hash) {
  Relation rel = table_open(relid, RowExclusiveLock);
  TupleDesc desc = RelationGetDescr(rel);
  ParseState* pstate = make_parsestate(nullptr);
  addRangeTableEntryForRelation(pstate, rel, RowExclusiveLock, nullptr, false, false);
  List* options = list_make1(
      makeDefElem(pstrdup("encoding"), (Node*)makeString(pstrdup(encoding.c_str())), -1));
  CopyFromState cstate = BeginCopyFrom(pstate, rel, nullptr, nullptr, false, source, NIL, options);
  RowHashColumn* rules =
      static_cast<RowHashColumn*>(palloc0(sizeof(RowHashColumn) * (desc->natts + 1)));
  for (int i = 0; i < desc->natts; ++i)
    prepare_row_hash_column(rules[i], TupleDescAttr(desc, i)->atttypid);
  Batch b;
  b.slots = static_cast<TupleTableSlot**>(palloc(sizeof(TupleTableSlot*) * batch_size));
  for (int i = 0; i < batch_size; ++i)
    b.slots[i] = MakeSingleTupleTableSlot(desc, table_slot_callbacks(rel));
  b.bulk = GetBulkInsertState();
  b.cid = GetCurrentCommandId(true);
  ExprContext* econtext = CreateStandaloneExprContext();
  MemoryContext per_batch =
      AllocSetContextCreate(CurrentMemoryContext, "pgdb_tools import", ALLOCSET_DEFAULT_SIZES);
  MemoryContext old = MemoryContextSwitchTo(per_batch);
  std::uint64_t rows = 0;
  for (;;) {
    TupleTableSlot* slot = b.slots[b.pending];
    ExecClearTuple(slot);
    if (!NextCopyFrom(cstate, econtext, slot->tts_values, slot->tts_isnull)) break;
    hash.begin_row();
    for (int i = 0; i < desc->natts; ++i) {
      hash_column_value(hash, rules[i], slot->tts_values[i], slot->tts_isnull[i]);
      if (!slot->tts_isnull[i])
        b.bytes += datumGetSize(slot->tts_values[i], rules[i].by_value, rules[i].length);
    }
    hash.end_row();
    ExecStoreVirtualTuple(slot);
    ExecMaterializeSlot(slot);
    ++rows;
    if (++b.pending == batch_size || b.bytes >= batch_bytes) {
      flush(rel, b);
      MemoryContextReset(per_batch);
      CHECK_FOR_INTERRUPTS();
    }
  }
  flush(rel, b);
  MemoryContextSwitchTo(old);
  MemoryContextDelete(per_batch);
  FreeExprContext(econtext, true);
  FreeBulkInsertState(b.bulk);
  table_finish_bulk_insert(rel, TABLE_INSERT_SKIP_FSM);
  for (int i = 0; i < batch_size; ++i) ExecDropSingleTupleTableSlot(b.slots[i]);
  pfree(b.slots);
  pfree(rules);
  EndCopyFrom(cstate);
  free_parsestate(pstate);
  table_close(rel, NoLock);
  return rows;
}

}  // namespace pgdb::snapshots
