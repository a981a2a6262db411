// snapshot_create, snapshot_verify and the schedule helper: the entry points that write or check
// stored copies (snapshot_drop: drop_pg.cpp).
#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "pg/catalog.hpp"
#include "pg/datum.hpp"
#include "pg/guard.hpp"
#include "pg/relation.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"
#include "pg/srf.hpp"
#include "snapshots/capture_pg.hpp"
#include "snapshots/content_hash.hpp"
#include "snapshots/store_pg.hpp"

extern "C" {
#include "access/xlog.h"
#include "catalog/pg_type.h"
#include "utils/snapmgr.h"
}

namespace pgdb::snapshots {

namespace {

Error name_taken(const std::string& name) {
  return Error(sqlstate::duplicate_object, "you already have a snapshot named \"" + name + "\"", {},
               "Choose another name, drop the old snapshot with snapshot_drop(), or pass "
               "replace => true to replace it.");
}

// The caller's snapshots named `name` that a replace drops once the new one is stored (locked
// now; all in the caller's transaction: a failure leaves them as they were). 42710 when there are
// some and replace is false; 42501 when the name is one another role's schedule takes.
std::vector<std::int64_t> claim_name(pg::Spi& spi, const pg::ExtensionOwner& owner,
                                     const std::string& name, Oid creator, bool replace) {
  pg::ActingAs as_owner = owner.acting();
  // Names are per role: only the caller's own snapshots can be in the way.
  std::vector<std::int64_t> replaced = own_snapshots_named(spi, name, creator, replace);
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
  return replaced;
}

// What storing one table produced: its snapshot_items row.
struct StoredCopy {
  std::string storage_name;
  std::uint64_t rows = 0;
  std::int64_t bytes = 0;
  std::string content_hash;
};

// Step 3, store: copy s<id>_<ordinal> of one pinned table, made and filled as the extension's
// owner. The copies' owner reads them as owner: it is never granted to; the caller and the table's
// owner read them through the copy's view.
StoredCopy store_table(pg::Spi& spi, std::int64_t id, int ordinal, const CapturedTable& table,
                       Snapshot snapshot, const std::string& created_by,
                       const std::string& owner_name) {
  StoredCopy stored;
  stored.storage_name = "s" + std::to_string(id) + "_" + std::to_string(ordinal);
  std::vector<std::string> readers;
  if (created_by != owner_name) readers.push_back(created_by);
  if (table.owner_name != owner_name && table.owner_name != created_by)
    readers.push_back(table.owner_name);
  Oid storage = create_copy(spi, id, ordinal, copy_columns(table.relid), readers);
  ContentHash hash;
  stored.rows = copy_rows(table.relid, table.leaves, snapshot, storage, hash);
  stored.content_hash = hash.hex();
  spi.execute("SELECT pg_catalog.pg_total_relation_size($1)", {pg::Param::oid(storage)});
  stored.bytes = spi.get_int64(0, 0).value();
  return stored;
}

struct SnapshotHeader {
  std::string name;
  std::string created_by;
  Oid creator;
  std::optional<std::string> note;
  std::vector<std::string> tags;
  bool replace;
};

// The catalog rows, written last so that a replaced snapshot is dropped only once its successor
// is stored. A concurrent call may have stored a snapshot of this name since claim_name: ON
// CONFLICT waits for it and then inserts nothing. With replace, that one is replaced too.
void record_snapshot(pg::Spi& spi, std::int64_t id, const SnapshotHeader& header,
                     const std::vector<CapturedTable>& tables,
                     const std::vector<StoredCopy>& copies) {
  std::vector<pg::Param> row{pg::Param::text(header.name),
                             pg::Param::text(header.created_by),
                             header.note ? pg::Param::text(*header.note) : pg::Param::null(TEXTOID),
                             pg::Param{TEXTARRAYOID, pg::strings_to_text_array(header.tags), false},
                             pg::Param::oid(header.creator),
                             pg::Param::text(std::to_string(GetSystemIdentifier())),
                             pg::Param::int8(id)};
  for (int attempt = 0;; ++attempt) {
    spi.execute(
        "INSERT INTO pgdb_tools.snapshot_catalog (snapshot_id, name, created_at, created_by, "
        "created_by_oid, note, tags, created_on) "
        "VALUES ($7, $1, pg_catalog.clock_timestamp(), $2, $5, $3, $4, $6) "
        "ON CONFLICT (created_by_oid, created_on, name) WHERE created_by_oid "
        "OPERATOR(pg_catalog.<>) 0 "
        "DO NOTHING RETURNING snapshot_id",
        row);
    if (spi.row_count() > 0) break;
    if (!header.replace || attempt > 0) throw name_taken(header.name);
    for (std::int64_t old_id : own_snapshots_named(spi, header.name, header.creator, true))
      drop_stored_snapshot(spi, old_id);
  }
  for (std::size_t i = 0; i < tables.size(); ++i)
    spi.execute(
        "INSERT INTO pgdb_tools.snapshot_items (snapshot_id, ordinal, source_relid, source_schema, "
        "  source_name, storage_name, rows, bytes, content_hash, definition) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb)",
        {pg::Param::int8(id), pg::Param::int4(static_cast<int>(i + 1)),
         pg::Param::oid(tables[i].relid), pg::Param::text(tables[i].source.schema),
         pg::Param::text(tables[i].source.name), pg::Param::text(copies[i].storage_name),
         pg::Param::int8(static_cast<std::int64_t>(copies[i].rows)),
         pg::Param::int8(copies[i].bytes), pg::Param::text(copies[i].content_hash),
         pg::Param::text(tables[i].definition)});
}

std::optional<Datum> optional_arg(FunctionCallInfo fcinfo, int n) {
  return PG_ARGISNULL(n) ? std::nullopt : std::optional(PG_GETARG_DATUM(n));
}

}  // namespace

}  // namespace pgdb::snapshots

using namespace pgdb;
using namespace pgdb::snapshots;

// snapshot_create: collect the tables, pin them (one snapshot for all), store each, record.
PGDB_FUNCTION(pgdb_tools_snapshot_create) {
  // Every query below, and the type names written into the stored copies' DDL, under the
  // trusted path: operators and functions planted in the caller's path never run.
  pg::SearchPath trusted(pg::trusted_search_path);
  if (PG_ARGISNULL(0)) throw Error(sqlstate::invalid_parameter_value, "name must not be NULL");
  SnapshotHeader header{pg::text_to_string(PG_GETARG_DATUM(0)), "", GetUserId(), std::nullopt, {},
                        !PG_ARGISNULL(5) && PG_GETARG_BOOL(5)};
  require_snapshot_name(header.name);
  if (!PG_ARGISNULL(3)) header.note = pg::text_to_string(PG_GETARG_DATUM(3));
  if (!PG_ARGISNULL(4)) header.tags = pg::text_array_values(PG_GETARG_DATUM(4), "tags");

  pg::Spi spi;
  std::vector<Oid> relids = collect_tables(spi, optional_arg(fcinfo, 1), optional_arg(fcinfo, 2));
  header.created_by = current_user_name();
  pg::ExtensionOwner owner(spi);
  rebind_creators(spi, owner);
  std::vector<std::int64_t> replaced =
      claim_name(spi, owner, header.name, header.creator, header.replace);
  PinnedTables pinned(spi, relids, {"snapshot_create", "snapshot"});
  const std::vector<CapturedTable>& tables = pinned.tables();

  const std::string& owner_name = owner.name();
  pg::ActingAs as_owner = owner.acting();
  const std::int64_t id = allocate_snapshot_id(spi);
  std::vector<StoredCopy> copies;
  for (std::size_t i = 0; i < tables.size(); ++i) {
    copies.push_back(store_table(spi, id, static_cast<int>(i + 1), tables[i], pinned.snapshot(),
                                 header.created_by, owner_name));
    if (copies.back().rows >= progress_rows)
      pg::notice("snapshot \"" + header.name + "\": copied " + tables[i].source.quoted() + " (" +
                 std::to_string(i + 1) + " of " + std::to_string(tables.size()) + "), " +
                 std::to_string(copies.back().rows) + " rows, " + megabytes(copies.back().bytes));
  }
  for (std::int64_t old_id : replaced) drop_stored_snapshot(spi, old_id);
  record_snapshot(spi, id, header, tables, copies);
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
    if (!pg::lock_relation_if_exists(storage, AccessShareLock))
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
  pg::ExtensionOwner owner(spi);
  // The caller's schedule of that prefix, by OID (whatever the role is called now, or the one
  // restored from another cluster under its name), is replaced or removed.
  const char* remove_own =
      "DELETE FROM pgdb_tools.snapshot_schedules WHERE name_prefix = $1 "
      "AND pgdb_tools._snapshot_creator_role(owner_oid, owner_name, owner_cluster) = $2";
  if (PG_ARGISNULL(3)) {
    pg::ActingAs as_owner = owner.acting();
    spi.execute(remove_own, {pg::Param::text(prefix), pg::Param::oid(caller)});
    PG_RETURN_VOID();
  }
  // The lists are checked now, as the caller, as each run checks them again.
  collect_tables(spi, optional_arg(fcinfo, 1), optional_arg(fcinfo, 2));
  pg::Param tables = PG_ARGISNULL(1) ? pg::Param::null(REGCLASSARRAYOID)
                                     : pg::Param{REGCLASSARRAYOID, PG_GETARG_DATUM(1), false};
  pg::Param schemas = PG_ARGISNULL(2) ? pg::Param::null(NAMEARRAYOID)
                                      : pg::Param{NAMEARRAYOID, PG_GETARG_DATUM(2), false};
  pg::ActingAs as_owner = owner.acting();
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
