// What the snapshot entry points share: reading a snapshot's tables through the caller's view of
// the catalog (store_pg.cpp), the stored copies (copies_pg.cpp), dropping a snapshot (drop_pg.cpp),
// and the copy engine that scans a table as of one snapshot, hashes every row and bulk-inserts it
// into a stored copy (row_copy_pg.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/json.hpp"
#include "pg/postgres.hpp"
#include "snapshots/adopt_plan.hpp"
#include "snapshots/content_hash.hpp"

namespace pgdb::pg {
class ExtensionOwner;
class Spi;
}  // namespace pgdb::pg

namespace pgdb::snapshots {

inline constexpr const char* storage_schema = "pgdb_tools_snapshots";

// Tables with at least this many rows get a progress NOTICE when copied or restored.
inline constexpr std::uint64_t progress_rows = 100000;

// One table of a snapshot, as pgdb_tools._snapshot_contents shows it to the current user.
struct StoredTable {
  std::int64_t snapshot_id = 0;
  int ordinal = 0;
  Oid source_relid = InvalidOid;
  std::string source_schema;
  std::string source_name;
  std::string storage_name;
  std::int64_t rows = 0;
  std::string content_hash;
  Json definition;  // as recorded by pgdb_tools._snapshot_definition()
  std::string created_by;

  std::string source_quoted() const;
  std::string storage_quoted() const;
  // The view readers read the copy through (see snapshot_create).
  std::string read_quoted() const;
};

// The tables of snapshot `name` the current user may read, in snapshot order; total_tables is
// how many the snapshot has. 42704 when the user can see no table of a snapshot of that name.
std::vector<StoredTable> readable_items(pg::Spi& spi, const std::string& name, int& total_tables);

// The table the item recorded, by its recorded schema and name as they are now (InvalidOid when
// there is none): OIDs do not survive a dump and restore.
Oid live_table(const StoredTable& item);

// The stored copy's OID when the extension made it (a table of schema pgdb_tools_snapshots owned by
// that schema's owner or a superuser), InvalidOid otherwise: anything else under a copy's name (a
// view, a table the database owner made or restored there) counts as a missing copy. What reads a
// copy's rows or drops it uses this (copies_pg.cpp).
Oid copy_relid(const StoredTable& item);

// The same for the view a copy is read through (<storage_name>_read): what reads through it or
// drops it checks first that the extension made it.
Oid read_view_relid(const StoredTable& item);

// The live columns of relid as a stored copy of it has them (name, type, collation).
std::vector<CopyColumn> copy_column_facts(Oid relid);

// The column list of a stored copy of relid: every live column with its type and collation,
// nothing else (no defaults, constraints, identity or generation: values are stored as they were).
std::string copy_columns(Oid relid);

// A new snapshot id from pgdb_tools.snapshot_ids whose copy names (s<id>_...) nothing in the store
// holds yet. Run as the extension's owner.
std::int64_t allocate_snapshot_id(pg::Spi& spi);

// Creates copy s<id>_<ordinal> with the given columns (copy_columns), its _read view, and grants
// SELECT on the copy to `readers` (role names); returns the copy's OID. Run as the extension's
// owner.
Oid create_copy(pg::Spi& spi, std::int64_t id, int ordinal, const std::string& columns,
                const std::vector<std::string>& readers);

// The ids of the snapshots named `name` whose creator is role `creator` (names are per role), in
// id order; with lock, locked FOR UPDATE. Run as the extension's owner.
std::vector<std::int64_t> own_snapshots_named(pg::Spi& spi, const std::string& name, Oid creator,
                                              bool lock);

// Whether `name` is <prefix>_<YYYYMMDD_HHMMSS> of a prefix another role schedules and `user` does
// not: a schedule owns the names it will take. Run as the extension's owner.
bool scheduled_by_others(pg::Spi& spi, const std::string& name, Oid role);

// The tables whose rows make up relid: relid itself, or for a partitioned table its leaf
// partitions (locked). 0A000 for a foreign partition.
std::vector<Oid> leaves_of(Oid relid);

// Scans `leaves` (relid's, from leaves_of) as of `snapshot`, adding each row to `hash`. When
// `into` is valid, every row is also inserted into that table, whose columns are matched to the
// source's by name. With reload (`into` is a live table an in-place restore refills), a NULL for
// a NOT NULL column of `into` is an error (23502), as an INSERT would raise, and nothing is
// added to `hash`. Returns the rows seen.
std::uint64_t copy_rows(Oid relid, const std::vector<Oid>& leaves, Snapshot snapshot, Oid into,
                        ContentHash& hash, bool reload = false);

// Loads the COPY text that `source` (a COPY FROM data source callback) delivers, in encoding
// `encoding`, into the empty heap table relid, adding each row to `hash` as copy_rows would; the
// rows loaded. Runs inside pg::call (copy_load_pg.cpp).
std::uint64_t load_copy_text(Oid relid, int (*source)(void*, int, int), const std::string& encoding,
                             ContentHash& hash);

// The row hash (ContentHash::last_row) of each row of `leaves` (relid's, from leaves_of) as of
// `snapshot`, over the named columns in that order (each must exist in every leaf), appended to
// `digests`. Used to tell which rows an in-place restore removes and reinstates.
void row_digests(const std::vector<Oid>& leaves, Snapshot snapshot,
                 const std::vector<std::string>& columns, std::vector<unsigned __int128>& digests);

// Drops snapshot `id`: its copies, their views and its catalog rows. Run as the extension's owner,
// once the caller's right to drop it was checked.
void drop_stored_snapshot(pg::Spi& spi, std::int64_t id);

// Brings the creators recorded in the snapshot catalog up to date with the roles of this cluster,
// as the extension's owner (callers: the entry points that write, before they resolve a name):
// a snapshot taken in another cluster (a dump restored here) is bound to the OID of the role of
// its recorded name, a creator renamed since gets its new name recorded, and a creator that no
// longer exists becomes nobody (OID 0), so that a role created later that reuses its name or OID
// is not taken for it. Rows another transaction is updating are left to it; a binding that would
// give one role two snapshots of one name is left undone (the name stays ambiguous, '#<id>' names
// either). Nothing is done in a read-only transaction.
void rebind_creators(pg::Spi& spi, const pg::ExtensionOwner& owner);

// The current user's name.
std::string current_user_name();

// bytes as "12.3 MB", for progress NOTICEs.
std::string megabytes(std::int64_t bytes);

// 22023 unless name is a usable snapshot name.
void require_snapshot_name(const std::string& name);

// 22023 when schema nsp (named schema) is a system schema or one of the extension's; `action`
// is "snapshot", "restore into", ...
void require_user_schema(pg::Spi& spi, Oid nsp, const std::string& schema,
                         const std::string& action);

// On Citus, the coordinator's table of a distributed, reference or Citus-local table is an empty
// shell: copying, reloading or comparing it would silently lose the rows held by the shards.
// 0A000 naming the first such table of `relids` (`action`: "snapshot", "restore", ...). Nothing
// is asked of the catalog when the citus extension is not installed.
void require_no_citus_tables(pg::Spi& spi, const std::vector<Oid>& relids,
                             const std::string& action);

}  // namespace pgdb::snapshots
