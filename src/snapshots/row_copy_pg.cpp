// The copy engine (store_pg.hpp): scans a table as of one snapshot, hashes every row and
// bulk-inserts it into a stored copy, through the table AM directly (the hot path of
// snapshot_create, snapshot_verify, the restores and snapshot_import).
#include <cstring>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "pg/catalog.hpp"
#include "pg/compat.hpp"
#include "pg/guard.hpp"
#include "snapshots/row_hash_pg.hpp"
#include "snapshots/store_pg.hpp"

extern "C" {
#include "access/attmap.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/transam.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/tuptable.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
}

namespace pgdb::snapshots {

namespace {

constexpr int batch_size = 1000;

// How one column is hashed (row_hash_pg.hpp: built-in types in their binary form, types created
// in this database and the OID-alias types as their text). Every entry point runs under the
// trusted search_path, so a reg* value's text is the same schema-qualified name each time.
// skip: a dropped column of the target (an in-place restore's table), stored as NULL, unhashed;
// or a reload, which hashes nothing.
struct HashColumn {
  RowHashColumn rule;
  bool skip;
};

static_assert(REGPROCOID == 24 && REGPROCEDUREOID == 2202 && REGOPEROID == 2203 &&
                  REGOPERATOROID == 2204 && REGCLASSOID == 2205 && REGTYPEOID == 2206 &&
                  REGCONFIGOID == 3734 && REGDICTIONARYOID == 3769 && REGNAMESPACEOID == 4089 &&
                  REGROLEOID == 4096 && REGCOLLATIONOID == 4191,
              "oid_alias_types (content_hash.hpp) must list PostgreSQL's reg* types");
static_assert(FirstNormalObjectId == first_normal_object_id);

// Whether a row of source can go into target as a copy of its heap tuple's bytes instead of being
// formed again from its values: both heap tables, with the same columns in the same places, laid
// out alike (rows whose tuple holds fewer columns, from before an ADD COLUMN, are still formed
// from their values).
bool same_layout(Relation source, Relation target, const AttrMap* map) {
  TupleDesc from = RelationGetDescr(source);
  TupleDesc to = RelationGetDescr(target);
  if (from->natts != to->natts || source->rd_tableam != target->rd_tableam ||
      table_slot_callbacks(source) != &TTSOpsBufferHeapTuple)
    return false;
  for (int i = 0; i < to->natts; ++i) {
    Form_pg_attribute a = TupleDescAttr(from, i);
    Form_pg_attribute b = TupleDescAttr(to, i);
    if (map->attnums[i] != i + 1 || a->attisdropped || b->attisdropped ||
        a->atttypid != b->atttypid || a->attlen != b->attlen || a->attalign != b->attalign ||
        a->attbyval != b->attbyval)
      return false;
  }
  return true;
}

// Stores the row of in into out: a copy of its tuple when whole tuples can be copied (same_layout)
// and the tuple holds every column, else formed from the values already set in out.
inline void store_row(TupleTableSlot* in, TupleTableSlot* out, bool whole, int natts) {
  HeapTuple tuple = whole ? ExecFetchSlotHeapTuple(in, false, nullptr) : nullptr;
  if (tuple != nullptr && HeapTupleHeaderGetNatts(tuple->t_data) == natts) {
    MemoryContext old = MemoryContextSwitchTo(out->tts_mcxt);
    ExecStoreHeapTuple(heap_copytuple(tuple), out, true);
    MemoryContextSwitchTo(old);
  } else {
    ExecStoreVirtualTuple(out);
    ExecMaterializeSlot(out);
  }
}

// The scan of one leaf table. Runs inside pg::call: no C++ objects with destructors are created
// here, and every PostgreSQL resource is released by the resource owner if an ERROR escapes.
std::uint64_t copy_leaf(Relation source, Snapshot snapshot, Relation target, TupleDesc out_desc,
                        HashColumn* columns, ContentHash& hash, TupleTableSlot** batch,
                        BulkInsertState bulk, MemoryContext per_batch, bool reload) {
  AttrMap* map = pg::compat::attrmap_by_name(RelationGetDescr(source), out_desc);
  TupleTableSlot* in = table_slot_create(source, nullptr);
  TableScanDesc scan = table_beginscan(source, snapshot, 0, nullptr);
  CommandId cid = GetCurrentCommandId(true);
  int natts = out_desc->natts;
  bool whole = target != nullptr && batch[0]->tts_ops == &TTSOpsHeapTuple &&
               same_layout(source, target, map);
  int pending = 0;
  std::uint64_t rows = 0;
  MemoryContext old = MemoryContextSwitchTo(per_batch);
  for (;;) {
    bool more = table_scan_getnextslot(scan, ForwardScanDirection, in);
    if (more) {
      slot_getallattrs(in);
      if (!reload) hash.begin_row();
      TupleTableSlot* out = target != nullptr ? batch[pending] : nullptr;
      if (out != nullptr) ExecClearTuple(out);
      for (int i = 0; i < natts; ++i) {
        AttrNumber from = map->attnums[i];
        bool is_null = from == 0 || in->tts_isnull[from - 1];
        Datum value = from == 0 ? Datum(0) : in->tts_values[from - 1];
        if (!columns[i].skip) hash_column_value(hash, columns[i].rule, value, is_null);
        if (out != nullptr) {
          if (is_null && reload && TupleDescAttr(out_desc, i)->attnotnull)
            ereport(ERROR, (errcode(ERRCODE_NOT_NULL_VIOLATION),
                            errmsg("null value in column \"%s\" of relation \"%s\" violates "
                                   "not-null constraint",
                                   NameStr(TupleDescAttr(out_desc, i)->attname),
                                   RelationGetRelationName(target)),
                            errtablecol(target, i + 1)));
          out->tts_values[i] = value;
          out->tts_isnull[i] = is_null;
        }
      }
      if (!reload) hash.end_row();
      ++rows;
      if (out != nullptr) {
        store_row(in, out, whole, natts);
        ++pending;
      }
    }
    if ((!more && pending > 0) || pending == batch_size) {
      table_multi_insert(target, batch, pending, cid, TABLE_INSERT_SKIP_FSM, bulk);
      for (int i = 0; i < pending; ++i) ExecClearTuple(batch[i]);
      pending = 0;
    }
    if (!more || rows % batch_size == 0) {
      MemoryContextReset(per_batch);
      CHECK_FOR_INTERRUPTS();
    }
    if (!more) break;
  }
  MemoryContextSwitchTo(old);
  table_endscan(scan);
  ExecDropSingleTupleTableSlot(in);
  free_attrmap(map);
  return rows;
}

}  // namespace

void row_digests(const std::vector<Oid>& leaves, Snapshot snapshot,
                 const std::vector<std::string>& columns, std::vector<unsigned __int128>& digests) {
  ContentHash hash;
  for (Oid leaf : leaves)
    pg::call([&] {
      Relation rel = table_open(leaf, AccessShareLock);
      TupleDesc desc = RelationGetDescr(rel);
      int count = static_cast<int>(columns.size());
      HashColumn* hashed = static_cast<HashColumn*>(palloc0(sizeof(HashColumn) * (count + 1)));
      AttrNumber* attnums = static_cast<AttrNumber*>(palloc0(sizeof(AttrNumber) * (count + 1)));
      for (int i = 0; i < count; ++i) {
        AttrNumber attnum = get_attnum(leaf, columns[i].c_str());
        if (attnum <= 0)
          elog(ERROR, "column \"%s\" of relation %u is missing", columns[i].c_str(), leaf);
        attnums[i] = attnum;
        prepare_row_hash_column(hashed[i].rule, TupleDescAttr(desc, attnum - 1)->atttypid);
      }
      MemoryContext per_batch = AllocSetContextCreate(
          CurrentMemoryContext, "pgdb_tools restore comparison", ALLOCSET_DEFAULT_SIZES);
      TupleTableSlot* slot = table_slot_create(rel, nullptr);
      TableScanDesc scan = table_beginscan(rel, snapshot, 0, nullptr);
      MemoryContext old = MemoryContextSwitchTo(per_batch);
      std::uint64_t seen = 0;
      while (table_scan_getnextslot(scan, ForwardScanDirection, slot)) {
        slot_getallattrs(slot);
        hash.begin_row();
        for (int i = 0; i < count; ++i)
          hash_column_value(hash, hashed[i].rule, slot->tts_values[attnums[i] - 1],
                            slot->tts_isnull[attnums[i] - 1]);
        hash.end_row();
        digests.push_back(hash.last_row());
        if (++seen % batch_size == 0) {
          MemoryContextReset(per_batch);
          CHECK_FOR_INTERRUPTS();
        }
      }
      MemoryContextSwitchTo(old);
      table_endscan(scan);
      ExecDropSingleTupleTableSlot(slot);
      MemoryContextDelete(per_batch);
      pfree(hashed);
      pfree(attnums);
      table_close(rel, NoLock);
    });
}

std::vector<Oid> leaves_of(Oid relid) {
  if (pg::relkind(relid) != RELKIND_PARTITIONED_TABLE) return {relid};
  std::vector<Oid> leaves;
  for (Oid child : pg::with_inheritors(relid, AccessShareLock)) {
    char child_kind = pg::relkind(child);
    if (child_kind == RELKIND_RELATION) {
      leaves.push_back(child);
    } else if (child_kind == RELKIND_FOREIGN_TABLE) {
      throw Error(sqlstate::feature_not_supported,
                  "partition " + std::string(pg::call([child] { return get_rel_name(child); })) +
                      " is a foreign table",
                  {}, "Snapshots copy local tables only.");
    }
  }
  return leaves;
}

std::uint64_t copy_rows(Oid relid, const std::vector<Oid>& leaves, Snapshot snapshot, Oid into,
                        ContentHash& hash, bool reload) {
  std::uint64_t rows = 0;
  pg::call([&] {
    Relation target = OidIsValid(into) ? table_open(into, RowExclusiveLock) : nullptr;
    Relation first = table_open(relid, AccessShareLock);
    TupleDesc out_desc = target != nullptr ? RelationGetDescr(target) : RelationGetDescr(first);
    HashColumn* columns =
        static_cast<HashColumn*>(palloc0(sizeof(HashColumn) * (out_desc->natts + 1)));
    for (int i = 0; i < out_desc->natts; ++i) {
      Form_pg_attribute att = TupleDescAttr(out_desc, i);
      columns[i].skip = att->attisdropped || reload;
      if (!columns[i].skip) prepare_row_hash_column(columns[i].rule, att->atttypid);
    }
    MemoryContext per_batch = AllocSetContextCreate(
        CurrentMemoryContext, "pgdb_tools snapshot copy", ALLOCSET_DEFAULT_SIZES);
    TupleTableSlot** batch = nullptr;
    BulkInsertState bulk = nullptr;
    if (target != nullptr) {
      batch = static_cast<TupleTableSlot**>(palloc(sizeof(TupleTableSlot*) * batch_size));
      // Heap tables get heap tuple slots, which take a copied tuple as it is (store_row).
      const TupleTableSlotOps* ops = table_slot_callbacks(target);
      if (ops == &TTSOpsBufferHeapTuple) ops = &TTSOpsHeapTuple;
      for (int i = 0; i < batch_size; ++i)
        batch[i] = MakeSingleTupleTableSlot(RelationGetDescr(target), ops);
      bulk = GetBulkInsertState();
    }
    for (Oid leaf : leaves) {
      Relation source = leaf == relid ? first : table_open(leaf, AccessShareLock);
      rows += copy_leaf(source, snapshot, target, out_desc, columns, hash, batch, bulk, per_batch,
                        reload);
      if (source != first) table_close(source, NoLock);
    }
    if (target != nullptr) {
      FreeBulkInsertState(bulk);
      table_finish_bulk_insert(target, TABLE_INSERT_SKIP_FSM);
      for (int i = 0; i < batch_size; ++i) ExecDropSingleTupleTableSlot(batch[i]);
      pfree(batch);
      table_close(target, NoLock);
    }
    MemoryContextDelete(per_batch);
    pfree(columns);
    table_close(first, NoLock);
  });
  return rows;
}

}  // namespace pgdb::snapshots
