// The collect and pin steps of a capture (capture_pg.hpp): which tables, checked, then locked
// and read with one registered snapshot.
#include <algorithm>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "pg/catalog.hpp"
#include "pg/datum.hpp"
#include "pg/guard.hpp"
#include "pg/quote.hpp"
#include "pg/relation.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"
#include "pg/syscache.hpp"
#include "snapshots/capture_pg.hpp"
#include "snapshots/store_pg.hpp"

extern "C" {
#include "access/xact.h"
#include "catalog/partition.h"
#include "catalog/pg_type.h"
#include "utils/acl.h"
#include "utils/lsyscache.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
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
void require_snapshottable(Oid relid, PinWording wording) {
  const std::string verb = wording.verb;
  const std::string function = wording.function;
  char kind = pg::relkind(relid);
  if (kind == '\0')
    throw Error(sqlstate::undefined_table,
                "relation with OID " + std::to_string(relid) + " does not exist");
  pg::TableName name = pg::table_name(relid);
  if (!pg::is_table_kind(kind))
    throw Error("42809", "cannot " + verb + " " + name.quoted() + ": it is not a table", {},
                "Snapshots copy ordinary and partitioned tables (views and foreign tables are not "
                "copied).");
  Oid nsp = pg::relation_schema(relid);
  if (pg::call([relid] { return get_rel_persistence(relid); }) == RELPERSISTENCE_TEMP)
    throw Error(sqlstate::feature_not_supported,
                "cannot " + verb + " " + name.quoted() + ": it is a temporary table", {},
                "A temporary table ends with its session; copy it into a regular table first.");
  if (!pg::has_schema_usage(nsp, GetUserId()))
    throw Error(sqlstate::insufficient_privilege,
                "permission denied for schema " + pg::quote_identifier(name.schema), {},
                function + " needs USAGE on the schema of every table it copies.");
  if (!can_select_all(relid))
    throw Error(sqlstate::insufficient_privilege, "permission denied for table " + name.quoted(),
                {}, function + " needs SELECT on every table it copies.");
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
void require_unchanged_since(Oid relid, Snapshot snapshot, const char* verb) {
  if (!IsolationUsesXactSnapshot()) return;
  bool changed;
  {
    pg::CatalogRow row(RELOID, relid);
    changed = !row || pg::call([&row, snapshot] {
      TransactionId xmin = HeapTupleHeaderGetXmin(row.tuple()->t_data);
      return TransactionIdIsNormal(xmin) && !TransactionIdIsCurrentTransactionId(xmin) &&
             XidInMVCCSnapshot(xmin, snapshot);
    });
  }
  if (changed)
    throw Error(
        sqlstate::serialization_failure,
        std::string("could not ") + verb + " " + pg::table_name(relid).quoted() +
            ": it was changed after this transaction's snapshot was taken",
        "A REPEATABLE READ or SERIALIZABLE transaction reads the tables as of its start; this "
        "table was rewritten, truncated or altered since.",
        "Retry the transaction.");
}

// The tables listed by name, without duplicates.
void add_named_tables(std::vector<Oid>& tables, Datum array) {
  for (Oid relid : pg::regclass_array_values(array, "tables"))
    if (std::find(tables.begin(), tables.end(), relid) == tables.end()) tables.push_back(relid);
}

// Each schema's tables in name order (partitions are copied with their parent), after the checks
// of the schema itself.
void add_schema_tables(pg::Spi& spi, std::vector<Oid>& tables,
                       const std::vector<std::string>& schemas, PinWording wording) {
  for (const std::string& schema : schemas) {
    Oid nsp = pg::schema_oid(schema.c_str());
    if (!OidIsValid(nsp)) throw Error("3F000", "schema \"" + schema + "\" does not exist");
    require_user_schema(spi, nsp, schema, wording.verb);
    if (!pg::has_schema_usage(nsp, GetUserId()))
      throw Error(sqlstate::insufficient_privilege,
                  "permission denied for schema " + pg::quote_identifier(schema), {},
                  std::string(wording.function) + " needs USAGE on every schema it copies.");
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
}

// A partition whose partitioned ancestor is listed too is copied with that ancestor only.
std::vector<Oid> without_covered_partitions(const std::vector<Oid>& tables) {
  std::vector<Oid> distinct;
  for (Oid relid : tables) {
    List* ancestors = pg::is_partition(relid)
                          ? pg::call([relid] { return get_partition_ancestors(relid); })
                          : NIL;
    bool covered = false;
    for (Oid ancestor : pg::oid_list(ancestors))
      if (std::find(tables.begin(), tables.end(), ancestor) != tables.end()) covered = true;
    if (!covered) distinct.push_back(relid);
  }
  return distinct;
}

// The definition as the pinned snapshot sees it, and its partitions as they are being copied.
void read_definition(pg::Spi& spi, CapturedTable& table, const char* verb) {
  spi.execute("SELECT pgdb_tools._snapshot_definition($1)::text", {pg::Param::oid(table.relid)});
  std::optional<std::string> definition = spi.get_text(0, 0);
  if (!definition)
    throw Error(sqlstate::undefined_table,
                "table " + table.source.quoted() + " is not visible to this transaction's snapshot",
                {}, "It was created after the transaction began; retry in a new transaction.");
  table.definition = *definition;
  // The partitions the transaction's snapshot knows must be the ones being copied.
  spi.execute(
      "WITH RECURSIVE tree(relid) AS (SELECT $1::oid UNION ALL "
      "  SELECT i.inhrelid FROM pg_catalog.pg_inherits i JOIN tree t ON i.inhparent = t.relid "
      "    JOIN pg_catalog.pg_class p ON p.oid = i.inhrelid WHERE p.relispartition) "
      "SELECT count(*) FROM tree t JOIN pg_catalog.pg_class c ON c.oid = t.relid WHERE c.relkind "
      "= 'r'",
      {pg::Param::oid(table.relid)});
  if (spi.get_int64(0, 0).value() != static_cast<std::int64_t>(table.leaves.size()))
    throw Error(sqlstate::serialization_failure,
                std::string("could not ") + verb + " " + table.source.quoted() +
                    ": its partitions changed after this transaction's snapshot was taken",
                {}, "Retry the transaction.");
}

}  // namespace

std::vector<Oid> collect_tables(pg::Spi& spi, std::optional<Datum> tables_arg,
                                std::optional<Datum> schemas_arg, PinWording wording) {
  std::vector<Oid> tables;
  if (tables_arg) add_named_tables(tables, *tables_arg);
  std::vector<std::string> schemas;
  if (schemas_arg)
    for (Datum d : pg::array_values(*schemas_arg, NAMEOID, "schemas")) {
      std::string schema = NameStr(*DatumGetName(d));
      if (std::find(schemas.begin(), schemas.end(), schema) == schemas.end())
        schemas.push_back(schema);
    }
  if (tables.empty() && schemas.empty())
    throw Error(sqlstate::invalid_parameter_value,
                std::string(wording.function) + " needs tables or schemas", {},
                "Pass tables => ARRAY['orders', 'order_lines']::regclass[] or schemas => "
                "ARRAY['app']::name[].");
  add_schema_tables(spi, tables, schemas, wording);
  if (tables.empty())
    throw Error(sqlstate::invalid_parameter_value, std::string("no tables to ") + wording.verb,
                "The listed schemas hold no tables.");
  tables = without_covered_partitions(tables);
  for (Oid relid : tables) {
    require_snapshottable(relid, wording);
    pg::require_user_table(spi, relid, wording.verb);
  }
  return tables;
}

// Every table is locked before the one snapshot all of them are read with is taken, so none can
// be truncated or rewritten between the snapshot and its scan (in READ COMMITTED; in REPEATABLE
// READ and SERIALIZABLE the snapshot is the transaction's, older than the locks, and
// require_unchanged_since refuses tables changed after it). The partitions are fixed here too:
// one attached while the copy runs is not part of it.
PinnedTables::PinnedTables(pg::Spi& spi, const std::vector<Oid>& relids, PinWording wording) {
  std::vector<Oid> all_tables;
  for (Oid relid : relids) {
    if (!pg::lock_relation_if_exists(relid, AccessShareLock))
      throw Error(sqlstate::undefined_table, "table with OID " + std::to_string(relid) +
                                                 " was dropped while " + wording.function +
                                                 " waited for it");
    CapturedTable table;
    table.relid = relid;
    table.leaves = leaves_of(relid);
    all_tables.push_back(relid);
    tables_.push_back(std::move(table));
  }
  for (const CapturedTable& table : tables_)
    all_tables.insert(all_tables.end(), table.leaves.begin(), table.leaves.end());
  require_no_citus_tables(spi, all_tables, wording.verb);
  snapshot_ = pg::call([] { return RegisterSnapshot(GetTransactionSnapshot()); });
  pending_at_start_ = pg::pending_pg_errors();
  try {
    for (const CapturedTable& table : tables_) {
      require_unchanged_since(table.relid, snapshot_, wording.verb);
      for (Oid leaf : table.leaves)
        if (leaf != table.relid) require_unchanged_since(leaf, snapshot_, wording.verb);
    }
    for (CapturedTable& table : tables_) {
      table.source = pg::table_name(table.relid);
      read_definition(spi, table, wording.verb);
      table.owner_name = pg::role_name(pg::table_owner(table.relid));
    }
  } catch (...) {
    // The destructor does not run for an object whose constructor throws.
    if (pg::pending_pg_errors() == pending_at_start_) UnregisterSnapshot(snapshot_);
    throw;
  }
}

PinnedTables::~PinnedTables() {
  // After a PostgreSQL error the rollback's resource owner releases it.
  if (pg::pending_pg_errors() == pending_at_start_) UnregisterSnapshot(snapshot_);
}

}  // namespace pgdb::snapshots
