#include "snapshots/store_pg.hpp"

#include <string>
#include <vector>

#include "core/error.hpp"
#include "pg/catalog.hpp"
#include "pg/compat.hpp"
#include "pg/datum.hpp"
#include "pg/guard.hpp"
#include "pg/jsonb.hpp"
#include "pg/quote.hpp"
#include "pg/relation.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"

extern "C" {
#include "access/attmap.h"
#include "access/heapam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "executor/tuptable.h"
#include "access/transam.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
}

namespace pgdb::snapshots {

std::string StoredTable::source_quoted() const {
  return pg::quote_identifier(source_schema) + "." + pg::quote_identifier(source_name);
}

std::string StoredTable::storage_quoted() const {
  return std::string(storage_schema) + "." + pg::quote_identifier(storage_name);
}

std::string current_user_name() {
  Oid user = GetUserId();
  return pg::call([user] { return GetUserNameFromId(user, false); });
}

std::string StoredTable::read_quoted() const {
  return std::string(storage_schema) + "." + pg::quote_identifier(storage_name + "_read");
}

void require_snapshot_name(const std::string& name) {
  if (name.empty() || name.size() > 200)
    throw Error(sqlstate::invalid_parameter_value, "snapshot name must have 1 to 200 characters");
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7f)
      throw Error(sqlstate::invalid_parameter_value,
                  "snapshot name must not contain control characters");
  if (name.front() == '#')
    throw Error(sqlstate::invalid_parameter_value, "snapshot name must not begin with \"#\"", {},
                "'#<id>' names the snapshot of that id wherever a snapshot name is taken.");
}

namespace {

// The owners of snapshot schedules, as rebind_creators does for creators: a renamed owner's
// current name is recorded, and a schedule restored from another cluster is bound to the role of
// its name here (unless that would give the role two schedules of one prefix).
void rebind_schedule_owners(pg::Spi& spi) {
  const std::string here = "WITH here AS (SELECT pgdb_tools._system_identifier() AS id) ";
  spi.execute(here +
              "UPDATE pgdb_tools.snapshot_schedules s SET owner_name = r.rolname "
              "  FROM here, pg_catalog.pg_roles r "
              " WHERE s.owner_cluster OPERATOR(pg_catalog.=) here.id "
              "   AND r.oid OPERATOR(pg_catalog.=) s.owner_oid "
              "   AND s.owner_name OPERATOR(pg_catalog.<>) r.rolname");
  spi.execute(
      here +
      "UPDATE pgdb_tools.snapshot_schedules s SET owner_oid = r.oid, owner_cluster = here.id "
      "  FROM here, pg_catalog.pg_roles r "
      " WHERE s.owner_cluster OPERATOR(pg_catalog.<>) here.id "
      "   AND r.rolname OPERATOR(pg_catalog.=) s.owner_name "
      "   AND NOT EXISTS (SELECT FROM pgdb_tools.snapshot_schedules o "
      "                    WHERE o.name_prefix OPERATOR(pg_catalog.=) s.name_prefix "
      "                      AND ((o.owner_oid OPERATOR(pg_catalog.=) r.oid "
      "                            AND o.owner_cluster OPERATOR(pg_catalog.=) here.id) "
      "                           OR (o.owner_cluster OPERATOR(pg_catalog.<>) here.id "
      "                               AND o.owner_name OPERATOR(pg_catalog.=) s.owner_name "
      "                               AND o.ctid OPERATOR(pg_catalog.<>) s.ctid)))");
}

}  // namespace

void rebind_creators(pg::Spi& spi, Oid extension_owner) {
  if (pg::call([] { return XactReadOnly || RecoveryInProgress(); })) return;
  pg::ActingAs as_owner(extension_owner);
  rebind_schedule_owners(spi);
  // needed: the rows whose creator now (NULL: nobody) differs from what is recorded. Nearly always
  // none, found by a cheap query first: the update's estimated cost would have it JIT-compiled.
  const std::string needed =
      "needed AS ( "
      "  SELECT c.snapshot_id, c.name, n.oid, n.rolname "
      "    FROM pgdb_tools.snapshot_catalog c CROSS JOIN here "
      "    LEFT JOIN pg_catalog.pg_roles n "
      "      ON CASE WHEN c.created_on IS NULL OR c.created_on OPERATOR(pg_catalog.=) here.id "
      "              THEN n.oid OPERATOR(pg_catalog.=) c.created_by_oid "
      "              ELSE n.rolname OPERATOR(pg_catalog.=) c.created_by END "
      "   WHERE c.created_by_oid OPERATOR(pg_catalog.<>) 0 "
      "     AND (c.created_on IS NULL OR c.created_on OPERATOR(pg_catalog.=) here.id "
      "          OR n.oid IS NOT NULL) "
      "     AND (n.oid IS NULL OR n.oid OPERATOR(pg_catalog.<>) c.created_by_oid "
      "          OR n.rolname OPERATOR(pg_catalog.<>) c.created_by "
      "          OR c.created_on IS DISTINCT FROM here.id)) ";
  const std::string here = "WITH here AS (SELECT pgdb_tools._system_identifier() AS id), ";
  spi.execute(here + needed + "SELECT 1 FROM needed", {}, true, 1);
  if (spi.row_count() == 0) return;
  // The bindings of a foreign row that another row already has, or that two foreign rows would
  // both get, are left out (the unique index would refuse them).
  spi.execute(
      here + needed +
      ", locked AS ( "
      "  SELECT c.snapshot_id FROM pgdb_tools.snapshot_catalog c "
      "   WHERE c.snapshot_id OPERATOR(pg_catalog.=) ANY (SELECT snapshot_id FROM needed) "
      "   ORDER BY c.snapshot_id FOR UPDATE SKIP LOCKED) "
      "UPDATE pgdb_tools.snapshot_catalog c "
      "   SET created_by_oid = coalesce(d.oid, 0), created_by = coalesce(d.rolname, c.created_by), "
      "       created_on = here.id "
      "  FROM needed d, here "
      " WHERE c.snapshot_id OPERATOR(pg_catalog.=) d.snapshot_id "
      "   AND c.snapshot_id OPERATOR(pg_catalog.=) ANY (SELECT snapshot_id FROM locked) "
      "   AND (d.oid IS NULL OR NOT EXISTS ( "
      "          SELECT FROM pgdb_tools.snapshot_catalog o "
      "           WHERE o.snapshot_id OPERATOR(pg_catalog.<>) d.snapshot_id "
      "             AND o.name OPERATOR(pg_catalog.=) d.name "
      "             AND ((o.created_by_oid OPERATOR(pg_catalog.=) d.oid "
      "                   AND o.created_on OPERATOR(pg_catalog.=) here.id) "
      "                  OR EXISTS (SELECT FROM needed e "
      "                              WHERE e.snapshot_id OPERATOR(pg_catalog.=) o.snapshot_id "
      "                                AND e.oid OPERATOR(pg_catalog.=) d.oid))))");
}

void require_user_schema(pg::Spi& spi, Oid nsp, const std::string& schema,
                         const std::string& action) {
  if (pg::is_system_schema(nsp))
    throw Error(
        sqlstate::invalid_parameter_value,
        "cannot " + action + " schema " + pg::quote_identifier(schema) + ": it is a system schema",
        {}, "The system catalogs are never snapshot or restore material.");
  if (pg::is_extension_schema(spi, nsp))
    throw Error(sqlstate::invalid_parameter_value,
                "cannot " + action + " schema " + pg::quote_identifier(schema) +
                    ": it belongs to the pgdb_tools extension",
                {},
                "The extension's own schemas hold its catalog and stored copies; they are never "
                "snapshot or restore material.");
}

void require_no_citus_tables(pg::Spi& spi, const std::vector<Oid>& relids,
                             const std::string& action) {
  if (relids.empty()) return;
  spi.execute("SELECT FROM pg_catalog.pg_extension WHERE extname = 'citus'", {}, true);
  if (spi.row_count() == 0) return;
  std::string list = "{";
  for (Oid relid : relids) list += (list.size() > 1 ? "," : "") + std::to_string(relid);
  list += "}";
  spi.execute(
      "SELECT logicalrelid::pg_catalog.oid::pg_catalog.int8, partmethod::pg_catalog.text, "
      "       repmodel::pg_catalog.text "
      "  FROM pg_catalog.pg_dist_partition "
      " WHERE logicalrelid::pg_catalog.oid OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.oid[]) "
      " ORDER BY 1 LIMIT 1",
      {pg::Param::text(list)}, true);
  if (spi.row_count() == 0) return;
  Oid relid = static_cast<Oid>(spi.get_int64(0, 0).value());
  std::string method = spi.get_text(0, 1).value_or("");
  std::string model = spi.get_text(0, 2).value_or("");
  std::string kind = method != "n"  ? "a Citus distributed table"
                     : model == "t" ? "a Citus reference table"
                                    : "a Citus local table";
  throw Error(
      sqlstate::feature_not_supported,
      "cannot " + action + " " + pg::table_name(relid).quoted() + ": it is " + kind,
      "On the coordinator such a table is an empty shell: its rows live in Citus's shards, "
      "which snapshots do not copy.",
      "Copy its rows into a local table first (CREATE TABLE ... AS SELECT * FROM it) and snapshot "
      "that, or use Citus's own tools.");
}

std::vector<StoredTable> readable_items(pg::Spi& spi, const std::string& name, int& total_tables) {
  // The snapshot the name means to the caller (names are per role), with the caller's rights.
  spi.execute("SELECT snapshot_id, candidates, creators FROM pgdb_tools._snapshot_resolve($1)",
              {pg::Param::text(name)});
  std::int64_t candidates = spi.get_int64(0, 1).value_or(0);
  if (candidates == 0)
    throw Error(sqlstate::undefined_object, "snapshot \"" + name + "\" does not exist", {},
                "The snapshots view lists the snapshots you can read.");
  if (candidates > 1)
    throw Error(sqlstate::invalid_parameter_value, "snapshot name \"" + name + "\" is ambiguous",
                "Roles " + spi.get_text(0, 2).value_or("") +
                    " each have a snapshot of that name that you can read.",
                "Snapshot names are per role: run the call as the role whose snapshot you "
                "mean (SET ROLE), or name it by id, '#<snapshot_id>' (see the snapshots view).");
  std::int64_t id = spi.get_int64(0, 0).value();
  spi.execute(
      "SELECT snapshot_id, ordinal, source_relid::pg_catalog.int8, source_schema::pg_catalog.text, "
      "       source_name::pg_catalog.text, storage_name::pg_catalog.text, rows, content_hash, "
      "       definition, created_by::pg_catalog.text "
      "  FROM pgdb_tools._snapshot_contents WHERE snapshot_id OPERATOR(pg_catalog.=) $1 ORDER BY "
      "ordinal",
      {pg::Param::int8(id)});
  std::vector<StoredTable> items;
  for (std::uint64_t r = 0; r < spi.row_count(); ++r) {
    StoredTable item;
    item.snapshot_id = spi.get_int64(r, 0).value();
    item.ordinal = static_cast<int>(spi.get_int64(r, 1).value());
    item.source_relid = static_cast<Oid>(spi.get_int64(r, 2).value());
    item.source_schema = spi.get_text(r, 3).value();
    item.source_name = spi.get_text(r, 4).value();
    item.storage_name = spi.get_text(r, 5).value();
    item.rows = spi.get_int64(r, 6).value();
    item.content_hash = spi.get_text(r, 7).value();
    bool is_null = false;
    item.definition = pg::jsonb_to_json(spi.value(r, 8, is_null));
    item.created_by = spi.get_text(r, 9).value();
    items.push_back(std::move(item));
  }
  if (items.empty())
    throw Error(sqlstate::undefined_object, "snapshot \"" + name + "\" does not exist", {},
                "The snapshots view lists the snapshots you can read.");
  {
    pg::AsExtensionOwner as_owner(spi);
    spi.execute("SELECT count(*) FROM pgdb_tools.snapshot_items WHERE snapshot_id = $1",
                {pg::Param::int8(id)});
    total_tables = static_cast<int>(spi.get_int64(0, 0).value());
  }
  return items;
}

Oid live_table(const StoredTable& item) {
  const std::string& schema = item.source_schema;
  const std::string& table = item.source_name;
  return pg::relation_in_schema(schema.c_str(), table.c_str());
}

namespace {

constexpr int batch_size = 1000;

// How one column is hashed. Values of built-in types are hashed in their binary form. Values of
// types created in this database (enums, composites, arrays and ranges of them, domains over
// them) and of the OID-alias types (regclass, regtype, ...) carry OIDs of this cluster inside (an
// enum is its label's OID, a composite or an array names its type, a regclass is a table's OID),
// which a dump and restore renumbers: those are hashed as their text output (hash_as_text). Every
// entry point runs under the trusted search_path, so a reg* value's text is the same
// schema-qualified name each time.
struct HashColumn {
  Form_pg_attribute att;
  bool as_text;
  FmgrInfo output;
};

static_assert(REGPROCOID == 24 && REGPROCEDUREOID == 2202 && REGOPEROID == 2203 &&
                  REGOPERATOROID == 2204 && REGCLASSOID == 2205 && REGTYPEOID == 2206 &&
                  REGCONFIGOID == 3734 && REGDICTIONARYOID == 3769 && REGNAMESPACEOID == 4089 &&
                  REGROLEOID == 4096 && REGCOLLATIONOID == 4191,
              "oid_alias_types (content_hash.hpp) must list PostgreSQL's reg* types");
static_assert(FirstNormalObjectId == first_normal_object_id);

bool carries_local_oids(Oid type) {
  Oid base = getBaseType(type);
  Oid element = get_element_type(base);
  return hash_as_text(base, OidIsValid(element) ? getBaseType(element) : 0);
}

// Adds one column value to the row being hashed: the null flag, then the value's bytes (varlena
// values detoasted and decompressed first, so the hash does not depend on how a value happens to
// be stored). Copies made here are freed at once: a row may hold very large values.
inline void hash_value(ContentHash& hash, HashColumn& column, Datum value, bool is_null) {
  Form_pg_attribute att = column.att;
  if (is_null) {
    hash.add_null();
  } else if (column.as_text) {
    char* text = OutputFunctionCall(&column.output, value);
    hash.add_value(text, std::strlen(text));
    pfree(text);
  } else if (att->attbyval) {
    char buffer[sizeof(Datum)];
    store_att_byval(buffer, value, att->attlen);
    hash.add_value(buffer, static_cast<std::size_t>(att->attlen));
  } else if (att->attlen == -1) {
    struct varlena* stored = reinterpret_cast<struct varlena*>(DatumGetPointer(value));
    struct varlena* v = VARATT_IS_EXTENDED(stored) ? pg_detoast_datum_packed(stored) : stored;
    hash.add_value(VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v));
    if (v != stored) pfree(v);
  } else if (att->attlen == -2) {
    const char* s = DatumGetCString(value);
    hash.add_value(s, std::strlen(s));
  } else {
    hash.add_value(DatumGetPointer(value), static_cast<std::size_t>(att->attlen));
  }
}

// The scan of one leaf table. Runs inside pg::call: no C++ objects with destructors are created
// here, and every PostgreSQL resource is released by the resource owner if an ERROR escapes.
std::uint64_t copy_leaf(Relation source, Snapshot snapshot, Relation target, TupleDesc out_desc,
                        HashColumn* columns, ContentHash& hash, TupleTableSlot** batch,
                        BulkInsertState bulk, MemoryContext per_batch) {
  AttrMap* map = pg::compat::attrmap_by_name(RelationGetDescr(source), out_desc);
  TupleTableSlot* in = table_slot_create(source, nullptr);
  TableScanDesc scan = table_beginscan(source, snapshot, 0, nullptr);
  CommandId cid = GetCurrentCommandId(true);
  int natts = out_desc->natts;
  int pending = 0;
  std::uint64_t rows = 0;
  MemoryContext old = MemoryContextSwitchTo(per_batch);
  for (;;) {
    bool more = table_scan_getnextslot(scan, ForwardScanDirection, in);
    if (more) {
      slot_getallattrs(in);
      hash.begin_row();
      TupleTableSlot* out = target != nullptr ? batch[pending] : nullptr;
      if (out != nullptr) ExecClearTuple(out);
      for (int i = 0; i < natts; ++i) {
        AttrNumber from = map->attnums[i];
        bool is_null = from == 0 || in->tts_isnull[from - 1];
        Datum value = from == 0 ? Datum(0) : in->tts_values[from - 1];
        hash_value(hash, columns[i], value, is_null);
        if (out != nullptr) {
          out->tts_values[i] = value;
          out->tts_isnull[i] = is_null;
        }
      }
      hash.end_row();
      ++rows;
      if (out != nullptr) {
        ExecStoreVirtualTuple(out);
        ExecMaterializeSlot(out);
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
        hashed[i].att = TupleDescAttr(desc, attnum - 1);
        hashed[i].as_text = carries_local_oids(hashed[i].att->atttypid);
        if (hashed[i].as_text) {
          Oid function;
          bool varlena;
          getTypeOutputInfo(hashed[i].att->atttypid, &function, &varlena);
          fmgr_info(function, &hashed[i].output);
        }
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
          hash_value(hash, hashed[i], slot->tts_values[attnums[i] - 1],
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
                        ContentHash& hash) {
  std::uint64_t rows = 0;
  pg::call([&] {
    Relation target = OidIsValid(into) ? table_open(into, RowExclusiveLock) : nullptr;
    Relation first = table_open(relid, AccessShareLock);
    TupleDesc out_desc = target != nullptr ? RelationGetDescr(target) : RelationGetDescr(first);
    HashColumn* columns =
        static_cast<HashColumn*>(palloc0(sizeof(HashColumn) * (out_desc->natts + 1)));
    for (int i = 0; i < out_desc->natts; ++i) {
      columns[i].att = TupleDescAttr(out_desc, i);
      columns[i].as_text = carries_local_oids(columns[i].att->atttypid);
      if (columns[i].as_text) {
        Oid function;
        bool varlena;
        getTypeOutputInfo(columns[i].att->atttypid, &function, &varlena);
        fmgr_info(function, &columns[i].output);
      }
    }
    MemoryContext per_batch = AllocSetContextCreate(
        CurrentMemoryContext, "pgdb_tools snapshot copy", ALLOCSET_DEFAULT_SIZES);
    TupleTableSlot** batch = nullptr;
    BulkInsertState bulk = nullptr;
    if (target != nullptr) {
      batch = static_cast<TupleTableSlot**>(palloc(sizeof(TupleTableSlot*) * batch_size));
      for (int i = 0; i < batch_size; ++i) batch[i] = table_slot_create(target, nullptr);
      bulk = GetBulkInsertState();
    }
    for (Oid leaf : leaves) {
      Relation source = leaf == relid ? first : table_open(leaf, AccessShareLock);
      rows += copy_leaf(source, snapshot, target, out_desc, columns, hash, batch, bulk, per_batch);
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
