// snapshot_restore and snapshot_diff: the entry points that read stored copies back, through the
// filtering view of each copy. Both run under the trusted search_path. A restore into
// target_schema runs as the caller; an in-place restore loads each table as the table's owner in
// a restricted context (as VACUUM and partition maintenance do), so that the owner's code
// (CHECK functions, defaults, generated columns, triggers) never runs with the restorer's rights.
#include <algorithm>
#include <map>
#include <optional>
#include <set>
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
#include "pg/srf.hpp"
#include "pg/syscache.hpp"
#include "snapshots/diff_render.hpp"
#include "snapshots/restore_plan.hpp"
#include "snapshots/restore_support_pg.hpp"
#include "snapshots/store_pg.hpp"

extern "C" {
#include "access/relation.h"
#include "catalog/namespace.h"
#include "commands/trigger.h"
#include "storage/lmgr.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_type.h"
#include "parser/parse_coerce.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
#include "catalog/pg_operator.h"
#include "access/htup_details.h"
}

namespace pgdb::snapshots {

namespace {

// The equality operator the diff joins a key column with, schema-qualified: the key type's own
// (its default btree class's, as the primary key uses), never one a caller's search_path finds.
// When the column's type changed since the snapshot, IS NOT DISTINCT FROM, resolved under the
// trusted search_path.
std::string key_equality(const std::vector<pg::Column>& stored, const std::vector<pg::Column>& live,
                         const std::string& column) {
  Oid stored_type = InvalidOid, live_type = InvalidOid;
  for (const pg::Column& c : stored)
    if (c.name == column) stored_type = c.type;
  for (const pg::Column& c : live)
    if (c.name == column) live_type = c.type;
  if (stored_type == live_type && OidIsValid(live_type)) {
    Oid eq =
        pg::call([live_type] { return lookup_type_cache(live_type, TYPECACHE_EQ_OPR)->eq_opr; });
    if (OidIsValid(eq)) {
      char* opname = pg::call([eq] { return get_opname(eq); });
      Oid nsp = InvalidOid;
      {
        pg::CatalogRow row(OPEROID, eq);
        if (row) nsp = row.form<FormData_pg_operator>()->oprnamespace;
      }
      std::optional<std::string> schema =
          OidIsValid(nsp) ? pg::schema_name(nsp) : std::optional<std::string>();
      if (opname != nullptr && schema)
        return "OPERATOR(" + pg::quote_identifier(*schema) + "." + opname + ")";
    }
  }
  return "IS NOT DISTINCT FROM";
}

// The item of `items` that recorded table relid (by OID, or by its present name).
const StoredTable* item_for(const std::vector<StoredTable>& items, Oid relid) {
  pg::TableName name = pg::table_name(relid);
  for (const StoredTable& item : items)
    if (item.source_relid == relid ||
        (item.source_schema == name.schema && item.source_name == name.name))
      return &item;
  return nullptr;
}

// The tables are created under the trusted path (their recorded definitions were written under
// it); the load runs with the caller's path, like the in-place load, for the code it may run.
std::vector<Restored> restore_into(pg::Spi& spi, const std::string& name,
                                   const std::vector<const StoredTable*>& items,
                                   const std::string& schema, const std::string& caller_path) {
  if (schema == storage_schema || schema == "pgdb_tools" || schema == "pg_catalog" ||
      schema == "information_schema" || schema.starts_with("pg_toast"))
    throw Error(sqlstate::invalid_parameter_value,
                "cannot restore into schema " + pg::quote_identifier(schema), {},
                "Pass a schema of your own; it is created when missing.");
  for (std::size_t i = 0; i < items.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (items[i]->source_name == items[j]->source_name)
        throw Error(sqlstate::object_not_in_prerequisite_state,
                    "tables " + items[j]->source_quoted() + " and " + items[i]->source_quoted() +
                        " would both become " + pg::quote_identifier(schema) + "." +
                        pg::quote_identifier(items[i]->source_name),
                    {}, "Restore them in separate calls, each into a schema of its own.");
  // IF NOT EXISTS for a concurrent restore creating it first; checked before to spare the NOTICE.
  spi.execute("SELECT oid::pg_catalog.int8 FROM pg_catalog.pg_namespace WHERE nspname = $1",
              {pg::Param::text(schema)}, true);
  if (spi.row_count() > 0)
    require_user_schema(spi, static_cast<Oid>(spi.get_int64(0, 0).value()), schema, "restore into");
  spi.execute("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1", {pg::Param::text(schema)},
              true);
  if (spi.row_count() == 0)
    spi.execute("CREATE SCHEMA IF NOT EXISTS " + pg::quote_identifier(schema));
  std::vector<Restored> result;
  for (const StoredTable* item : items) {
    std::string target =
        pg::quote_identifier(schema) + "." + pg::quote_identifier(item->source_name);
    spi.execute(
        "SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = "
        "c.relnamespace "
        " WHERE n.nspname = $1 AND c.relname = $2",
        {pg::Param::text(schema), pg::Param::text(item->source_name)});
    if (spi.row_count() > 0)
      throw Error("42P07", "relation " + target + " already exists", {},
                  "Drop it first, or restore into another schema.");
    require_storage(*item, name);
    // The table's expressions (defaults, CHECKs, generated columns, index expressions) were
    // written by its owner and would run with the caller's rights: recreate them only when the
    // owner holds every right the caller has (the caller itself, or a superuser owner).
    const Json* owner_name = item->definition.find("owner");
    bool trusted = false;
    if (owner_name != nullptr && owner_name->type == Json::Type::string) {
      const char* role = owner_name->text.c_str();
      Oid table_owner = pg::role_oid(role);
      trusted = OidIsValid(table_owner) && pg::has_privileges_of(table_owner, GetUserId());
    }
    TargetDdl ddl =
        target_ddl(item->definition, schema, item->source_name, pg::server_keywords, trusted);
    if (!ddl.skipped.empty()) {
      std::string list;
      for (const std::string& what : ddl.skipped) list += (list.empty() ? "" : ", ") + what;
      pg::notice(target + " was recreated without what runs as code, since its owner " +
                 (owner_name != nullptr ? pg::quote_identifier(owner_name->text)
                                        : std::string("(unknown)")) +
                 " lacks some of your rights: " + list);
    }
    for (const std::string& sql : ddl.before) spi.execute(sql);
    spi.execute(ddl.create_table);
    std::uint64_t rows = 0;
    {
      pg::SearchPath path(caller_path);
      RestoreContext context(target, name);
      std::string columns = column_list(ddl.load_columns);
      rows = spi.execute("INSERT INTO " + target + " (" + columns + ")" +
                         (ddl.overriding_system_value ? " OVERRIDING SYSTEM VALUE" : "") +
                         " SELECT " + columns + " FROM " + item->read_quoted());
    }
    require_all_rows(*item, target, rows);
    for (const std::string& sql : ddl.after) spi.execute(sql);
    Oid relid = pg::relation_in_schema(schema.c_str(), item->source_name.c_str());
    reset_sequences(spi, *item, relid, target);
    result.push_back(
        {item->source_quoted(), target, static_cast<std::int64_t>(rows), std::nullopt});
    report_progress(name, target, rows);
  }
  return result;
}

}  // namespace

}  // namespace pgdb::snapshots

using namespace pgdb;
using namespace pgdb::snapshots;

PGDB_FUNCTION(pgdb_tools_snapshot_restore) {
  const std::string caller_path = pg::current_search_path();
  pg::SearchPath trusted(pg::trusted_search_path);
  if (PG_ARGISNULL(0)) throw Error(sqlstate::invalid_parameter_value, "name must not be NULL");
  std::string name = pg::text_to_string(PG_GETARG_DATUM(0));
  std::optional<std::string> target_schema;
  if (!PG_ARGISNULL(2)) target_schema = NameStr(*PG_GETARG_NAME(2));
  if (target_schema && target_schema->empty())
    throw Error(sqlstate::invalid_parameter_value, "target_schema must not be empty", {},
                "Pass NULL to restore in place, or the name of a schema.");
  bool fire_triggers = !PG_ARGISNULL(3) && PG_GETARG_BOOL(3);
  pg::Spi spi;
  rebind_creators(spi, pg::ExtensionOwner(spi));
  int total = 0;
  std::vector<StoredTable> items = readable_items(spi, name, total);
  std::vector<const StoredTable*> chosen;
  if (!PG_ARGISNULL(1)) {
    std::vector<Oid> tables = pg::regclass_array_values(PG_GETARG_DATUM(1), "tables");
    if (tables.empty())
      throw Error(sqlstate::invalid_parameter_value, "tables must not be empty", {},
                  "Pass NULL to restore every table of the snapshot.");
    std::set<const StoredTable*> seen;
    for (Oid relid : tables) {
      const StoredTable* item = item_for(items, relid);
      if (item == nullptr)
        throw Error(
            sqlstate::invalid_parameter_value,
            "table " + pg::table_name(relid).quoted() + " is not in snapshot \"" + name + "\"", {},
            "snapshot_tables(" + pg::quote_literal(name) + ") lists the tables you can restore.");
      seen.insert(item);
    }
    for (const StoredTable& item : items)
      if (seen.count(&item)) chosen.push_back(&item);
  } else {
    if (static_cast<int>(items.size()) < total)
      throw Error(sqlstate::insufficient_privilege,
                  "you cannot read every table of snapshot \"" + name + "\"", {},
                  "List the tables you can read in tables.");
    for (const StoredTable& item : items) chosen.push_back(&item);
  }
  // The catalogs and the extension's own tables are never restore material, whatever an old
  // snapshot holds.
  for (const StoredTable* item : chosen) {
    const std::string& schema = item->source_schema;
    Oid nsp = pg::schema_oid(schema.c_str());
    if (OidIsValid(nsp) && (pg::is_system_schema(nsp) || pg::is_extension_schema(spi, nsp)))
      throw Error(sqlstate::invalid_parameter_value,
                  "cannot restore " + item->source_quoted() +
                      ": it is a system catalog or belongs to the pgdb_tools extension",
                  {},
                  "The system catalogs and the extension's own schemas are never restore "
                  "material.");
  }
  // Nor are Citus tables (their rows live in shards), in place or copied elsewhere.
  std::vector<Oid> sources;
  for (const StoredTable* item : chosen) {
    Oid live = live_table(*item);
    if (OidIsValid(live)) sources.push_back(live);
  }
  require_no_citus_tables(spi, sources, "restore");
  std::vector<Restored> restored =
      target_schema ? restore_into(spi, name, chosen, *target_schema, caller_path)
                    : restore_in_place(spi, name, chosen, fire_triggers, caller_path);
  pg::ResultRows result(fcinfo);
  for (const Restored& r : restored) {
    std::optional<std::string> removed, reinstated;
    if (r.changes) {
      removed = std::to_string(r.changes->removed);
      reinstated = std::to_string(r.changes->reinstated);
    }
    result.add({r.source, r.target, std::to_string(r.rows), removed, reinstated});
  }
  return Datum(0);
}

PGDB_FUNCTION(pgdb_tools_snapshot_diff) {
  pg::SearchPath trusted(pg::trusted_search_path);
  if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
    throw Error(sqlstate::invalid_parameter_value, "name and tbl must not be NULL");
  std::string name = pg::text_to_string(PG_GETARG_DATUM(0));
  Oid relid = PG_GETARG_OID(1);
  if (!OidIsValid(relid))
    throw Error(sqlstate::invalid_parameter_value, "tbl must name a table, not 0 ('-')");
  pg::require_table(relid, "tbl");
  pg::Spi spi;
  std::vector<Oid> pieces = leaves_of(relid);
  pieces.push_back(relid);
  require_no_citus_tables(spi, pieces, "compare");
  int total = 0;
  std::vector<StoredTable> items = readable_items(spi, name, total);
  const StoredTable* item = item_for(items, relid);
  pg::TableName table = pg::table_name(relid);
  if (item == nullptr)
    throw Error(
        sqlstate::invalid_parameter_value,
        "table " + table.quoted() + " is not in snapshot \"" + name + "\"", {},
        "snapshot_tables(" + pg::quote_literal(name) + ") lists the tables you can compare.");
  Oid storage = require_storage(*item, name);

  spi.execute(
      "SELECT a.attname::text FROM pg_catalog.pg_index i "
      "  JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey) "
      " WHERE i.indrelid = $1 AND i.indisprimary "
      " ORDER BY pg_catalog.array_position(i.indkey::int2[], a.attnum)",
      {pg::Param::oid(relid)}, true);
  std::vector<std::string> key;
  for (std::uint64_t r = 0; r < spi.row_count(); ++r) key.push_back(spi.get_text(r, 0).value());
  if (key.empty())
    throw Error(sqlstate::object_not_in_prerequisite_state,
                "table " + table.quoted() + " has no primary key", {},
                "snapshot_diff matches rows by primary key. Add one, or restore the snapshot with "
                "target_schema and compare the tables with SQL.");
  std::vector<pg::Column> stored = pg::live_columns(storage, AccessShareLock);
  std::vector<pg::Column> now = pg::live_columns(relid, AccessShareLock);
  std::vector<std::string> stored_names, live_names;
  for (const pg::Column& c : stored) stored_names.push_back(c.name);
  for (const pg::Column& c : now) live_names.push_back(c.name);
  for (const std::string& k : key)
    if (std::find(stored_names.begin(), stored_names.end(), k) == stored_names.end())
      throw Error(
          sqlstate::object_not_in_prerequisite_state,
          "primary key column \"" + k + "\" of " + table.quoted() + " is not in the snapshot", {},
          "The key changed since the snapshot; restore it with target_schema and compare with "
          "SQL.");
  std::vector<std::string> only_stored = columns_missing(stored_names, live_names);
  std::vector<std::string> only_live = columns_missing(live_names, stored_names);
  std::vector<DiffKey> diff_key;
  for (const std::string& k : key) diff_key.push_back({k, key_equality(stored, now, k)});
  bool partitioned = pg::relkind(relid) == RELKIND_PARTITIONED_TABLE;
  std::string sql =
      diff_query(diff_key, item->read_quoted(), (partitioned ? "" : "ONLY ") + table.quoted(),
                 pg::server_keywords, quote_all_identifiers);
  spi.execute(sql, {pg::Param{TEXTARRAYOID, pg::strings_to_text_array(only_stored), false},
                    pg::Param{TEXTARRAYOID, pg::strings_to_text_array(only_live), false}});
  pg::ResultRows result(fcinfo);
  for (std::uint64_t r = 0; r < spi.row_count(); ++r)
    result.add({spi.get_text(r, 0), spi.get_text(r, 1), spi.get_text(r, 2), spi.get_text(r, 3)});
  return Datum(0);
}
