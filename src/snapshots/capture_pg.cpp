// snapshot_create, snapshot_verify, snapshot_drop and the schedule helper: the entry points that
// write or check stored copies.
#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "pg/compat.hpp"
#include "pg/datum.hpp"
#include "pg/guard.hpp"
#include "pg/quote.hpp"
#include "pg/relation.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"
#include "pg/srf.hpp"
#include "snapshots/content_hash.hpp"
#include "snapshots/store_pg.hpp"

extern "C" {
#include "access/relation.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/partition.h"
#include "catalog/pg_inherits.h"
#include "access/htup_details.h"
#include "utils/syscache.h"
#include "catalog/pg_type.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/ruleutils.h"
#include "utils/snapmgr.h"
#include "access/xlog.h"
}

namespace pgdb::snapshots {

namespace {

bool can_select_all(Oid relid) {
  Oid user = GetUserId();
  return pg::call([relid, user] {
    return pg_class_aclcheck(relid, user, ACL_SELECT) == ACLCHECK_OK ||
           pg_attribute_aclcheck_all(relid, user, ACL_SELECT, ACLMASK_ALL) == ACLCHECK_OK;
  });
}

// The checks snapshot_create makes of each table before anything is written.
void require_snapshottable(Oid relid) {
  char kind = pg::call([relid] { return get_rel_relkind(relid); });
  if (kind == '\0')
    throw Error(sqlstate::undefined_table,
                "relation with OID " + std::to_string(relid) + " does not exist");
  pg::TableName name = pg::table_name(relid);
  if (kind != RELKIND_RELATION && kind != RELKIND_PARTITIONED_TABLE)
    throw Error("42809", "cannot snapshot " + name.quoted() + ": it is not a table", {},
                "Snapshots copy ordinary and partitioned tables (views and foreign tables are not "
                "copied).");
  Oid nsp = pg::call([relid] { return get_rel_namespace(relid); });
  if (pg::call([relid] { return get_rel_persistence(relid); }) == RELPERSISTENCE_TEMP)
    throw Error(sqlstate::feature_not_supported,
                "cannot snapshot " + name.quoted() + ": it is a temporary table", {},
                "A temporary table ends with its session; copy it into a regular table first.");
  Oid user = GetUserId();
  if (pg::call([nsp, user] { return pg::compat::namespace_aclcheck(nsp, user, ACL_USAGE); }) !=
      ACLCHECK_OK)
    throw Error(sqlstate::insufficient_privilege,
                "permission denied for schema " + pg::quote_identifier(name.schema), {},
                "snapshot_create needs USAGE on the schema of every table it copies.");
  if (!can_select_all(relid))
    throw Error(sqlstate::insufficient_privilege, "permission denied for table " + name.quoted(),
                {}, "snapshot_create needs SELECT on every table it copies.");
  int rls = pg::call([relid] { return check_enable_rls(relid, InvalidOid, false); });
  if (rls == RLS_ENABLED)
    throw Error(sqlstate::insufficient_privilege,
                "row-level security is enabled for table " + name.quoted(),
                "A snapshot copies every row; row-level security would hide some from you.",
                "Take the snapshot as the table's owner or as a role with BYPASSRLS.");
}

// In REPEATABLE READ and SERIALIZABLE the transaction's snapshot predates the lock just taken:
// a table rewritten, truncated or altered by a transaction the snapshot does not see would be
// copied as the snapshot sees its files (empty, or with other columns). Such a change writes a
// new pg_class row; refuse like a serialization failure.
void require_unchanged_since(Oid relid, Snapshot snapshot) {
  if (!IsolationUsesXactSnapshot()) return;
  bool changed = pg::call([relid, snapshot] {
    HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
    if (!HeapTupleIsValid(tuple)) return true;
    TransactionId xmin = HeapTupleHeaderGetXmin(tuple->t_data);
    bool invisible = TransactionIdIsNormal(xmin) && !TransactionIdIsCurrentTransactionId(xmin) &&
                     XidInMVCCSnapshot(xmin, snapshot);
    ReleaseSysCache(tuple);
    return invisible;
  });
  if (changed)
    throw Error(
        sqlstate::serialization_failure,
        "could not snapshot " + pg::table_name(relid).quoted() +
            ": it was changed after this transaction's snapshot was taken",
        "A REPEATABLE READ or SERIALIZABLE transaction reads the tables as of its start; this "
        "table was rewritten, truncated or altered since.",
        "Retry the transaction.");
}

std::string megabytes(std::int64_t bytes) {
  char buffer[32];
  snprintf(buffer, sizeof buffer, "%.1f MB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return buffer;
}

class RegisteredSnapshot {
 public:
  RegisteredSnapshot()
      : snapshot_(pg::call([] { return RegisterSnapshot(GetTransactionSnapshot()); })),
        pending_at_start_(pg::pending_pg_errors()) {}
  ~RegisteredSnapshot() {
    // After a PostgreSQL error the rollback's resource owner releases it.
    if (pg::pending_pg_errors() == pending_at_start_) UnregisterSnapshot(snapshot_);
  }
  RegisteredSnapshot(const RegisteredSnapshot&) = delete;
  RegisteredSnapshot& operator=(const RegisteredSnapshot&) = delete;
  Snapshot get() const { return snapshot_; }

 private:
  Snapshot snapshot_;
  int pending_at_start_;
};

// The tables a snapshot of the given tables (regclass[]) and schemas (name[]) copies, each
// checked as snapshot material the caller may copy: named tables first, then each schema's tables
// in name order; a partition whose partitioned ancestor is listed too is left to that ancestor.
// Schedules check their lists with it when they are made, and again at each run.
std::vector<Oid> snapshot_material(pg::Spi& spi, std::optional<Datum> table_array,
                                   std::optional<Datum> schema_array) {
  std::vector<Oid> tables;
  if (table_array)
    for (Datum d : array_elements(*table_array, REGCLASSOID, "tables")) {
      Oid relid = DatumGetObjectId(d);
      if (std::find(tables.begin(), tables.end(), relid) == tables.end()) tables.push_back(relid);
    }
  std::vector<std::string> schemas;
  if (schema_array)
    for (Datum d : array_elements(*schema_array, NAMEOID, "schemas")) {
      std::string schema = NameStr(*DatumGetName(d));
      if (std::find(schemas.begin(), schemas.end(), schema) == schemas.end())
        schemas.push_back(schema);
    }
  if (tables.empty() && schemas.empty())
    throw Error(sqlstate::invalid_parameter_value, "snapshot_create needs tables or schemas", {},
                "Pass tables => ARRAY['orders', 'order_lines']::regclass[] or schemas => "
                "ARRAY['app']::name[].");
  for (const std::string& schema : schemas) {
    spi.execute("SELECT oid::pg_catalog.int8 FROM pg_catalog.pg_namespace WHERE nspname = $1",
                {pg::Param::text(schema)}, true);
    if (spi.row_count() == 0) throw Error("3F000", "schema \"" + schema + "\" does not exist");
    Oid nsp = static_cast<Oid>(spi.get_int64(0, 0).value());
    require_user_schema(spi, nsp, schema, "snapshot");
    if (pg::call([nsp] { return pg::compat::namespace_aclcheck(nsp, GetUserId(), ACL_USAGE); }) !=
        ACLCHECK_OK)
      throw Error(sqlstate::insufficient_privilege,
                  "permission denied for schema " + pg::quote_identifier(schema), {},
                  "snapshot_create needs USAGE on every schema it copies.");
    spi.execute(
        "SELECT c.oid::int8 FROM pg_catalog.pg_class c "
        "  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        " WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition "
        " ORDER BY c.relname COLLATE \"C\"",
        {pg::Param::text(schema)}, true);
    for (std::uint64_t r = 0; r < spi.row_count(); ++r) {
      Oid relid = static_cast<Oid>(spi.get_int64(r, 0).value());
      if (std::find(tables.begin(), tables.end(), relid) == tables.end()) tables.push_back(relid);
    }
  }
  if (tables.empty())
    throw Error(sqlstate::invalid_parameter_value, "no tables to snapshot",
                "The listed schemas hold no tables.");
  // A partition whose partitioned ancestor is listed too is copied with that ancestor only.
  std::vector<Oid> distinct;
  for (Oid relid : tables) {
    List* ancestors = pg::call(
        [relid] { return get_rel_relispartition(relid) ? get_partition_ancestors(relid) : NIL; });
    bool covered = false;
    ListCell* cell;
    foreach (cell, ancestors)
      if (std::find(tables.begin(), tables.end(), lfirst_oid(cell)) != tables.end()) covered = true;
    if (!covered) distinct.push_back(relid);
  }
  tables = distinct;
  for (Oid relid : tables) {
    require_snapshottable(relid);
    pg::require_user_table(spi, relid, "snapshot");
  }
  return tables;
}

// The id in a name '#<id>', as _snapshot_resolve reads it.
std::optional<std::int64_t> snapshot_id_named(const std::string& name) {
  if (name.size() < 2 || name.size() > 19 || name.front() != '#') return std::nullopt;
  std::int64_t id = 0;
  for (std::size_t i = 1; i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9') return std::nullopt;
    id = id * 10 + (name[i] - '0');
  }
  return id;
}

Error name_taken(const std::string& name) {
  return Error(sqlstate::duplicate_object, "you already have a snapshot named \"" + name + "\"", {},
               "Choose another name, drop the old snapshot with snapshot_drop(), or pass "
               "replace => true to replace it.");
}

// Drops snapshot `id`: its copies, their views and its catalog rows. Runs as the extension's
// owner, once the caller's right to drop it was checked.
void drop_stored_snapshot(pg::Spi& spi, std::int64_t id) {
  spi.execute(
      "SELECT storage_name::text FROM pgdb_tools.snapshot_items WHERE snapshot_id = $1 ORDER BY "
      "ordinal",
      {pg::Param::int8(id)});
  std::vector<std::string> storage;
  for (std::uint64_t r = 0; r < spi.row_count(); ++r) storage.push_back(spi.get_text(r, 0).value());
  for (const std::string& table : storage) {
    StoredTable item;
    item.storage_name = table;
    // CASCADE: objects another role made to depend on a copy (a view of it) must not keep its
    // owner from dropping the snapshot; they go with it, and PostgreSQL names them in a NOTICE.
    // Only what the extension made is dropped: a relation another role made under a copy's name
    // (the database owner may create in the store) is not the snapshot's.
    if (OidIsValid(read_view_relid(item))) spi.execute("DROP VIEW " + item.read_quoted());
    if (OidIsValid(copy_relid(item)))
      spi.execute("DROP TABLE " + item.storage_quoted() + " CASCADE");
  }
  spi.execute("DELETE FROM pgdb_tools.snapshot_catalog WHERE snapshot_id = $1",
              {pg::Param::int8(id)});
}

}  // namespace

}  // namespace pgdb::snapshots

using namespace pgdb;
using namespace pgdb::snapshots;

PGDB_FUNCTION(pgdb_tools_snapshot_create) {
  // Every query below, and the type names written into the stored copies' DDL, under the
  // trusted path: operators and functions planted in the caller's path never run.
  pg::SearchPath trusted(pg::trusted_search_path);
  if (PG_ARGISNULL(0)) throw Error(sqlstate::invalid_parameter_value, "name must not be NULL");
  std::string name = pg::text_to_string(PG_GETARG_DATUM(0));
  require_snapshot_name(name);
  std::optional<std::string> note;
  if (!PG_ARGISNULL(3)) note = pg::text_to_string(PG_GETARG_DATUM(3));
  std::vector<std::string> tags;
  if (!PG_ARGISNULL(4))
    for (Datum d : array_elements(PG_GETARG_DATUM(4), TEXTOID, "tags"))
      tags.push_back(pg::text_to_string(d));

  pg::Spi spi;
  std::vector<Oid> tables =
      snapshot_material(spi, PG_ARGISNULL(1) ? std::nullopt : std::optional(PG_GETARG_DATUM(1)),
                        PG_ARGISNULL(2) ? std::nullopt : std::optional(PG_GETARG_DATUM(2)));

  const bool replace = !PG_ARGISNULL(5) && PG_GETARG_BOOL(5);
  const std::string created_by = current_user_name();
  const Oid creator = GetUserId();
  Oid owner = pg::extension_owner(spi);
  rebind_creators(spi, owner);
  // With replace, the caller's snapshots of that name, locked now and dropped once the new one is
  // stored (all in the caller's transaction: a failure leaves them as they were).
  std::vector<std::int64_t> replaced;
  {
    pg::ActingAs as_owner(owner);
    // Names are per role: only the caller's own snapshots can be in the way.
    replaced = own_snapshots_named(spi, name, creator, replace);
    if (!replaced.empty() && !replace) throw name_taken(name);
    // A schedule owns the names it will take: <prefix>_<YYYYMMDD_HHMMSS> is for the roles that
    // schedule that prefix only (each in its own namespace), so no one else can plant a copy under
    // a name a schedule's owner will later restore (_snapshot_resolve gives such a name only the
    // caller's own snapshot).
    if (scheduled_by_others(spi, name, creator))
      throw Error(sqlstate::insufficient_privilege,
                  "snapshot name \"" + name + "\" belongs to another role's schedule", {},
                  "Names <prefix>_<YYYYMMDD_HHMMSS> are taken by the schedules of that prefix "
                  "only; choose another name.");
  }

  // Every table is locked before the one snapshot all of them are read with is taken, so none
  // can be truncated or rewritten between the snapshot and its scan (in READ COMMITTED; in
  // REPEATABLE READ and SERIALIZABLE the snapshot is the transaction's, older than the locks, and
  // require_unchanged_since refuses tables changed after it). The partitions are fixed here too:
  // one attached while the copy runs is not part of it.
  std::vector<std::vector<Oid>> leaves;
  for (Oid relid : tables) {
    pg::call([relid] { LockRelationOid(relid, AccessShareLock); });
    if (!pg::call([relid] { return SearchSysCacheExists1(RELOID, ObjectIdGetDatum(relid)); }))
      throw Error(sqlstate::undefined_table,
                  "table with OID " + std::to_string(relid) +
                      " was dropped while snapshot_create waited for it");
    leaves.push_back(leaves_of(relid));
  }
  std::vector<Oid> all_tables = tables;
  for (const std::vector<Oid>& pieces : leaves)
    all_tables.insert(all_tables.end(), pieces.begin(), pieces.end());
  require_no_citus_tables(spi, all_tables, "snapshot");
  RegisteredSnapshot snapshot;
  for (std::size_t i = 0; i < tables.size(); ++i) {
    require_unchanged_since(tables[i], snapshot.get());
    for (Oid leaf : leaves[i])
      if (leaf != tables[i]) require_unchanged_since(leaf, snapshot.get());
  }

  std::vector<std::string> definitions;
  for (std::size_t i = 0; i < tables.size(); ++i) {
    spi.execute("SELECT pgdb_tools._snapshot_definition($1)::text", {pg::Param::oid(tables[i])});
    std::optional<std::string> definition = spi.get_text(0, 0);
    if (!definition)
      throw Error(sqlstate::undefined_table,
                  "table " + pg::table_name(tables[i]).quoted() +
                      " is not visible to this transaction's snapshot",
                  {}, "It was created after the transaction began; retry in a new transaction.");
    definitions.push_back(*definition);
    // The partitions the transaction's snapshot knows must be the ones being copied.
    spi.execute(
        "WITH RECURSIVE tree(relid) AS (SELECT $1::oid UNION ALL "
        "  SELECT i.inhrelid FROM pg_catalog.pg_inherits i JOIN tree t ON i.inhparent = t.relid "
        "    JOIN pg_catalog.pg_class p ON p.oid = i.inhrelid WHERE p.relispartition) "
        "SELECT count(*) FROM tree t JOIN pg_catalog.pg_class c ON c.oid = t.relid WHERE c.relkind "
        "= 'r'",
        {pg::Param::oid(tables[i])});
    if (spi.get_int64(0, 0).value() != static_cast<std::int64_t>(leaves[i].size()))
      throw Error(sqlstate::serialization_failure,
                  "could not snapshot " + pg::table_name(tables[i]).quoted() +
                      ": its partitions changed after this transaction's snapshot was taken",
                  {}, "Retry the transaction.");
  }

  // The copies' owner reads them as owner: it is never granted to.
  const std::string owner_name = pg::call([owner] { return GetUserNameFromId(owner, false); });
  pg::ActingAs as_owner(owner);
  // The copies are made first and the catalog rows written last, so that a replaced snapshot is
  // dropped only once its successor is stored.
  const std::int64_t id = allocate_snapshot_id(spi);
  std::vector<std::vector<pg::Param>> item_rows;
  for (std::size_t i = 0; i < tables.size(); ++i) {
    Oid relid = tables[i];
    pg::TableName source = pg::table_name(relid);
    std::string storage_name = "s" + std::to_string(id) + "_" + std::to_string(i + 1);
    spi.execute(
        "SELECT pg_catalog.pg_get_userbyid(relowner)::pg_catalog.text FROM pg_catalog.pg_class "
        "WHERE oid OPERATOR(pg_catalog.=) $1",
        {pg::Param::oid(relid)});
    const std::string table_owner = spi.get_text(0, 0).value();
    std::vector<std::string> readers;
    if (created_by != owner_name) readers.push_back(created_by);
    if (table_owner != owner_name && table_owner != created_by) readers.push_back(table_owner);
    Oid storage = create_copy(spi, id, static_cast<int>(i + 1), copy_columns(relid), readers);
    ContentHash hash;
    std::uint64_t rows = copy_rows(relid, leaves[i], snapshot.get(), storage, hash);
    spi.execute("SELECT pg_catalog.pg_total_relation_size($1)", {pg::Param::oid(storage)});
    std::int64_t bytes = spi.get_int64(0, 0).value();
    item_rows.push_back({pg::Param::int8(id), pg::Param::int4(static_cast<int>(i + 1)),
                         pg::Param::oid(relid), pg::Param::text(source.schema),
                         pg::Param::text(source.name), pg::Param::text(storage_name),
                         pg::Param::int8(static_cast<std::int64_t>(rows)), pg::Param::int8(bytes),
                         pg::Param::text(hash.hex()), pg::Param::text(definitions[i])});
    if (rows >= progress_rows)
      pg::notice("snapshot \"" + name + "\": copied " + source.quoted() + " (" +
                 std::to_string(i + 1) + " of " + std::to_string(tables.size()) + "), " +
                 std::to_string(rows) + " rows, " + megabytes(bytes));
  }

  for (std::int64_t old_id : replaced) drop_stored_snapshot(spi, old_id);
  std::vector<pg::Param> header{pg::Param::text(name),
                                pg::Param::text(created_by),
                                note ? pg::Param::text(*note) : pg::Param::null(TEXTOID),
                                pg::Param{TEXTARRAYOID, pg::strings_to_text_array(tags), false},
                                pg::Param::oid(creator),
                                pg::Param::text(std::to_string(GetSystemIdentifier())),
                                pg::Param::int8(id)};
  // A concurrent call may have stored a snapshot of this name since the check above: ON CONFLICT
  // waits for it and then inserts nothing. With replace, that one is replaced too.
  for (int attempt = 0;; ++attempt) {
    spi.execute(
        "INSERT INTO pgdb_tools.snapshot_catalog (snapshot_id, name, created_at, created_by, "
        "created_by_oid, note, tags, created_on) "
        "VALUES ($7, $1, pg_catalog.clock_timestamp(), $2, $5, $3, $4, $6) "
        "ON CONFLICT (created_by_oid, created_on, name) WHERE created_by_oid "
        "OPERATOR(pg_catalog.<>) 0 "
        "DO NOTHING RETURNING snapshot_id",
        header);
    if (spi.row_count() > 0) break;
    if (!replace || attempt > 0) throw name_taken(name);
    for (std::int64_t old_id : own_snapshots_named(spi, name, creator, true))
      drop_stored_snapshot(spi, old_id);
  }
  for (const std::vector<pg::Param>& row : item_rows)
    spi.execute(
        "INSERT INTO pgdb_tools.snapshot_items (snapshot_id, ordinal, source_relid, source_schema, "
        "  source_name, storage_name, rows, bytes, content_hash, definition) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb)",
        row);
  PG_RETURN_INT64(id);
}

PGDB_FUNCTION(pgdb_tools_snapshot_verify) {
  pg::SearchPath trusted(pg::trusted_search_path);
  if (PG_ARGISNULL(0)) throw Error(sqlstate::invalid_parameter_value, "name must not be NULL");
  std::string name = pg::text_to_string(PG_GETARG_DATUM(0));
  pg::Spi spi;
  int total = 0;
  std::vector<StoredTable> items = readable_items(spi, name, total);
  // A copy taken of a Citus table before such tables were refused holds the coordinator's empty
  // shell: "ok" would be a lie.
  std::vector<Oid> sources;
  for (const StoredTable& item : items) {
    Oid live = live_table(item);
    if (OidIsValid(live)) sources.push_back(live);
  }
  require_no_citus_tables(spi, sources, "verify the snapshot of");
  pg::ResultRows result(fcinfo);
  pg::AsExtensionOwner as_owner(spi);
  for (const StoredTable& item : items) {
    Oid storage = copy_relid(item);
    if (!OidIsValid(storage)) {
      result.add({item.source_quoted(), std::nullopt, "false",
                  "stored copy " + item.storage_quoted() + " is missing"});
      continue;
    }
    pg::call([storage] { LockRelationOid(storage, AccessShareLock); });
    if (!pg::call([storage] { return SearchSysCacheExists1(RELOID, ObjectIdGetDatum(storage)); }))
      throw Error(sqlstate::undefined_object,
                  "snapshot \"" + name + "\" was dropped while this call waited for it");
    ContentHash hash;
    std::uint64_t rows = copy_rows(storage, {storage}, GetActiveSnapshot(), InvalidOid, hash);
    std::string detail;
    if (static_cast<std::int64_t>(rows) != item.rows)
      detail = "expected " + std::to_string(item.rows) + " rows, found " + std::to_string(rows);
    else if (hash.hex() != item.content_hash)
      detail = "content hash differs: recorded " + item.content_hash + ", now " + hash.hex();
    result.add({item.source_quoted(), std::to_string(rows), detail.empty() ? "true" : "false",
                detail.empty() ? "rows and content hash match" : detail});
  }
  return Datum(0);
}

// snapshot_drop(name): the snapshot the name means to the caller (their own first; see
// _snapshot_resolve) among those they can see or may drop. Its creator (or a member), the owner of
// every one of its tables, or a superuser may drop it: a reader's snapshot of an owner's table must
// not pin the owner's table or types. Snapshots the caller can neither see nor drop do not exist
// for them: the answer is the same NOTICE as for a name nobody uses.
PGDB_FUNCTION(pgdb_tools_snapshot_drop) {
  pg::SearchPath trusted(pg::trusted_search_path);
  if (PG_ARGISNULL(0)) throw Error(sqlstate::invalid_parameter_value, "name must not be NULL");
  std::string name = pg::text_to_string(PG_GETARG_DATUM(0));
  pg::Spi spi;
  const Oid user = GetUserId();
  Oid owner = pg::extension_owner(spi);
  rebind_creators(spi, owner);
  // '#<id>' names the snapshot of that id (see _snapshot_resolve).
  std::optional<std::int64_t> by_id = snapshot_id_named(name);
  pg::Param wanted_id = by_id ? pg::Param::int8(*by_id) : pg::Param::null(INT8OID);

  struct Candidate {
    std::int64_t id;
    std::string created_by;
    bool own;
    bool creator;
    bool owns_tables;
    bool nobodys;  // its creator was dropped
    bool visible = false;
    std::string creator_label() const {
      return pg::quote_identifier(created_by) + (nobodys ? " (dropped)" : "");
    }
  };
  std::vector<Candidate> candidates;
  {
    pg::ActingAs as_owner(owner);
    // owns_tables: a table it recorded still exists under its recorded name and OID and the
    // caller has the rights of its owner: the owner of data may drop copies of it (and so free
    // its types), whoever bundled them with what else.
    spi.execute(
        "SELECT c.snapshot_id, c.created_by::text, "
        "       coalesce(w.creator OPERATOR(pg_catalog.=) $2, false), "
        "       coalesce(pg_catalog.pg_has_role($2, w.creator, 'MEMBER'), false) "
        "         OR (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.oid "
        "OPERATOR(pg_catalog.=) $2), "
        "       EXISTS (SELECT FROM pgdb_tools.snapshot_items i "
        "                WHERE i.snapshot_id OPERATOR(pg_catalog.=) c.snapshot_id "
        "                  AND EXISTS (SELECT FROM pg_catalog.pg_class t "
        "                                        JOIN pg_catalog.pg_namespace n ON n.oid "
        "OPERATOR(pg_catalog.=) t.relnamespace "
        "                                       WHERE t.oid OPERATOR(pg_catalog.=) i.source_relid "
        "                                         AND t.relname OPERATOR(pg_catalog.=) "
        "i.source_name "
        "                                         AND n.nspname OPERATOR(pg_catalog.=) "
        "i.source_schema "
        "                                         AND pg_catalog.pg_has_role($2, t.relowner, "
        "'USAGE'))), "
        "       w.creator IS NULL "
        "  FROM pgdb_tools.snapshot_catalog c, "
        "       LATERAL (SELECT pgdb_tools._snapshot_creator_role(c.created_by_oid, c.created_by, "
        "                                                         c.created_on) AS creator) w "
        " WHERE CASE WHEN $3::pg_catalog.int8 IS NULL THEN c.name OPERATOR(pg_catalog.=) $1 "
        "            ELSE c.snapshot_id OPERATOR(pg_catalog.=) $3 END "
        " ORDER BY c.snapshot_id",
        {pg::Param::text(name), pg::Param::oid(user), wanted_id});
    for (std::uint64_t r = 0; r < spi.row_count(); ++r)
      candidates.push_back({spi.get_int64(r, 0).value(), spi.get_text(r, 1).value(),
                            spi.get_bool(r, 2).value_or(false), spi.get_bool(r, 3).value_or(false),
                            spi.get_bool(r, 4).value_or(false),
                            spi.get_bool(r, 5).value_or(false)});
  }
  // What the caller can see, with their own rights.
  spi.execute(
      "SELECT DISTINCT snapshot_id FROM pgdb_tools._snapshot_contents "
      " WHERE CASE WHEN $2::pg_catalog.int8 IS NULL THEN snapshot_name OPERATOR(pg_catalog.=) $1 "
      "            ELSE snapshot_id OPERATOR(pg_catalog.=) $2 END",
      {pg::Param::text(name), wanted_id});
  for (std::uint64_t r = 0; r < spi.row_count(); ++r) {
    std::int64_t id = spi.get_int64(r, 0).value();
    for (Candidate& c : candidates)
      if (c.id == id) c.visible = true;
  }
  const Candidate* chosen = nullptr;
  for (const Candidate& c : candidates)
    if (c.own) chosen = &c;
  if (chosen == nullptr) {
    std::vector<const Candidate*> known;
    for (const Candidate& c : candidates)
      if (c.visible || c.creator || c.owns_tables) known.push_back(&c);
    if (known.size() > 1) {
      std::string roles;
      for (const Candidate* c : known) roles += (roles.empty() ? "" : ", ") + c->creator_label();
      throw Error(sqlstate::invalid_parameter_value, "snapshot name \"" + name + "\" is ambiguous",
                  "Roles " + roles + " each have a snapshot of that name that you can see.",
                  "Snapshot names are per role: run the call as the role whose snapshot you "
                  "mean (SET ROLE), or name it by id, '#<snapshot_id>' (see the snapshots view).");
    }
    if (!known.empty()) chosen = known.front();
  }
  if (chosen == nullptr) {
    pg::notice("snapshot \"" + name + "\" does not exist, skipping");
    PG_RETURN_BOOL(false);
  }
  if (!chosen->own && !chosen->creator && !chosen->owns_tables && chosen->nobodys)
    throw Error(sqlstate::insufficient_privilege,
                "must own a table of snapshot \"" + name + "\" to drop it",
                "Its creator, role " + pg::quote_identifier(chosen->created_by) +
                    ", was dropped: the snapshot belongs to no role.",
                "The owner of any of its tables and superusers can drop it.");
  if (!chosen->own && !chosen->creator && !chosen->owns_tables)
    throw Error(sqlstate::insufficient_privilege,
                "must be a member of role " + pg::quote_identifier(chosen->created_by) +
                    " or own a table of snapshot \"" + name + "\" to drop it",
                {},
                "The role that took a snapshot (or a member of it), the owner of any of its tables "
                "and superusers can drop it.");
  const std::int64_t id = chosen->id;
  pg::ActingAs as_owner(owner);
  // Taken under a row lock, so that two drops of one snapshot do not both go on.
  spi.execute("SELECT 1 FROM pgdb_tools.snapshot_catalog WHERE snapshot_id = $1 FOR UPDATE",
              {pg::Param::int8(id)});
  if (spi.row_count() == 0) {
    pg::notice("snapshot \"" + name + "\" does not exist, skipping");
    PG_RETURN_BOOL(false);
  }
  drop_stored_snapshot(spi, id);
  PG_RETURN_BOOL(true);
}

// _snapshot_schedule_save(name_prefix, tables, schemas, keep_last): keep_last NULL removes the
// caller's schedule of that prefix; otherwise it is created or replaced. Each role has schedules
// of its own: another role's schedule of the same prefix is never touched.
PGDB_FUNCTION(pgdb_tools_snapshot_schedule_save) {
  pg::SearchPath trusted(pg::trusted_search_path);
  if (PG_ARGISNULL(0))
    throw Error(sqlstate::invalid_parameter_value, "name_prefix must not be NULL");
  std::string prefix = pg::text_to_string(PG_GETARG_DATUM(0));
  std::string user = current_user_name();
  const Oid caller = GetUserId();
  pg::Spi spi;
  Oid owner = pg::extension_owner(spi);
  // The caller's schedule of that prefix, by OID (whatever the role is called now, or the one
  // restored from another cluster under its name), is replaced or removed.
  const char* remove_own =
      "DELETE FROM pgdb_tools.snapshot_schedules WHERE name_prefix = $1 "
      "AND pgdb_tools._snapshot_creator_role(owner_oid, owner_name, owner_cluster) = $2";
  if (PG_ARGISNULL(3)) {
    pg::ActingAs as_owner(owner);
    spi.execute(remove_own, {pg::Param::text(prefix), pg::Param::oid(caller)});
    PG_RETURN_VOID();
  }
  // The lists are checked now, as the caller, as each run checks them again.
  snapshot_material(spi, PG_ARGISNULL(1) ? std::nullopt : std::optional(PG_GETARG_DATUM(1)),
                    PG_ARGISNULL(2) ? std::nullopt : std::optional(PG_GETARG_DATUM(2)));
  pg::Param tables = PG_ARGISNULL(1) ? pg::Param::null(REGCLASSARRAYOID)
                                     : pg::Param{REGCLASSARRAYOID, PG_GETARG_DATUM(1), false};
  pg::Param schemas = PG_ARGISNULL(2) ? pg::Param::null(NAMEARRAYOID)
                                      : pg::Param{NAMEARRAYOID, PG_GETARG_DATUM(2), false};
  pg::ActingAs as_owner(owner);
  spi.execute(remove_own, {pg::Param::text(prefix), pg::Param::oid(caller)});
  spi.execute(
      "INSERT INTO pgdb_tools.snapshot_schedules (name_prefix, tables, schemas, keep_last, "
      "owner_name, owner_oid, owner_cluster) "
      "VALUES ($1, $2, $3, $4, $5, $6, pgdb_tools._system_identifier())",
      {pg::Param::text(prefix), tables, schemas, pg::Param::int4(PG_GETARG_INT32(3)),
       pg::Param::text(user), pg::Param::oid(caller)});
  PG_RETURN_VOID();
}

PGDB_FUNCTION(pgdb_tools_system_identifier) {
  return pg::string_to_text(std::to_string(GetSystemIdentifier()));
}
