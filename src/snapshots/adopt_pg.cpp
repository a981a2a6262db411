// snapshot_adopt: the snapshots a role brought back with its own pg_restore become its snapshots.
// The database owner (not a superuser) may load rows into the snapshot catalog and create tables
// in pgdb_tools_snapshots, so that its pg_restore succeeds; its catalog rows are diverted into
// pgdb_tools.snapshot_restored* stamped with the loading role (_divert_restored_snapshot), and the
// copies it restored are tables it owns. None of that is trusted: adopting copies each restored
// table's rows into a new copy the extension makes (columns from the restored table itself),
// records a definition rebuilt by adopted_definition (every text from the dump counts as the
// adopting role's code), binds the snapshot to the adopting role (never another), and drops the
// restored tables as that role.
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "pg/catalog.hpp"
#include "pg/datum.hpp"
#include "pg/guard.hpp"
#include "pg/jsonb.hpp"
#include "pg/quote.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"
#include "pg/srf.hpp"
#include "snapshots/adopt_plan.hpp"
#include "snapshots/store_pg.hpp"

extern "C" {
#include "access/xlog.h"
#include "catalog/pg_type.h"
#include "storage/lmgr.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
}

namespace pgdb::snapshots {

namespace {

struct PendingItem {
  int ordinal = 0;
  std::string source_schema;
  std::string source_name;
  std::string storage_name;
  std::int64_t rows = 0;
  std::string content_hash;
  Json definition;
  Oid restored = InvalidOid;  // the caller's table holding its rows
};

struct Pending {
  std::int64_t restore_id = 0;
  std::int64_t dump_id = 0;  // the snapshot's id in the dumped database
  std::string name;
  std::vector<PendingItem> items;
};

bool is_copy_name(const std::string& name) {
  std::size_t underscore = name.find('_');
  auto digits = [&](std::size_t from, std::size_t to) {
    if (to <= from || to - from > 19) return false;
    for (std::size_t i = from; i < to; ++i)
      if (name[i] < '0' || name[i] > '9') return false;
    return true;
  };
  return name.size() > 3 && name[0] == 's' && underscore != std::string::npos &&
         digits(1, underscore) && digits(underscore + 1, name.size());
}

bool is_hash(const std::string& text) {
  if (text.size() != 32) return false;
  for (char c : text)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// The caller's restored snapshots (the latest restore of each dumped id), with their tables (the
// latest row of each ordinal). Run as the extension's owner.
std::vector<Pending> load_pending(pg::Spi& spi, Oid user, const std::optional<std::string>& only) {
  spi.execute(
      "SELECT DISTINCT ON (snapshot_id) restore_id, snapshot_id, name FROM "
      "pgdb_tools.snapshot_restored "
      " WHERE restored_by OPERATOR(pg_catalog.=) $1 "
      "   AND ($2::pg_catalog.text IS NULL OR name OPERATOR(pg_catalog.=) $2) "
      " ORDER BY snapshot_id, restore_id DESC",
      {pg::Param::oid(user), only ? pg::Param::text(*only) : pg::Param::null(TEXTOID)});
  std::vector<Pending> pending;
  for (std::uint64_t r = 0; r < spi.row_count(); ++r)
    pending.push_back(
        {spi.get_int64(r, 0).value(), spi.get_int64(r, 1).value(), spi.get_text(r, 2).value(), {}});
  for (Pending& p : pending) {
    spi.execute(
        "SELECT DISTINCT ON (ordinal) ordinal, source_schema::pg_catalog.text, "
        "       source_name::pg_catalog.text, storage_name::pg_catalog.text, rows, content_hash, "
        "       definition "
        "  FROM pgdb_tools.snapshot_restored_items "
        " WHERE restored_by OPERATOR(pg_catalog.=) $1 AND snapshot_id OPERATOR(pg_catalog.=) $2 "
        " ORDER BY ordinal, restore_id DESC",
        {pg::Param::oid(user), pg::Param::int8(p.dump_id)});
    for (std::uint64_t r = 0; r < spi.row_count(); ++r) {
      PendingItem item;
      item.ordinal = static_cast<int>(spi.get_int64(r, 0).value());
      item.source_schema = spi.get_text(r, 1).value();
      item.source_name = spi.get_text(r, 2).value();
      item.storage_name = spi.get_text(r, 3).value();
      item.rows = spi.get_int64(r, 4).value();
      item.content_hash = spi.get_text(r, 5).value();
      bool is_null = false;
      item.definition = pg::jsonb_to_json(spi.value(r, 6, is_null));
      p.items.push_back(std::move(item));
    }
  }
  return pending;
}

// Why the restored snapshot cannot be adopted (nullopt: it can), with each item's restored table
// found: a table of the caller's in pgdb_tools_snapshots under the name the dump gave it. Run as
// the extension's owner.
std::optional<std::string> refusal(pg::Spi& spi, Pending& p, Oid user,
                                   const std::string& user_name) {
  try {
    require_snapshot_name(p.name);  // PG-free: no PostgreSQL error is caught here
  } catch (const Error& e) {
    return std::string(e.what());
  }
  if (scheduled_by_others(spi, p.name, user))
    return "its name \"" + p.name + "\" belongs to another role's schedule";
  if (!own_snapshots_named(spi, p.name, user, false).empty())
    return "you already have a snapshot named \"" + p.name + "\": drop it first";
  if (p.items.empty()) return std::string("no table of it was restored");
  for (std::size_t i = 0; i < p.items.size(); ++i) {
    PendingItem& item = p.items[i];
    const std::string table =
        pg::quote_identifier(item.source_schema) + "." + pg::quote_identifier(item.source_name);
    if (item.ordinal != static_cast<int>(i + 1))
      return "table " + std::to_string(i + 1) + " of it was not restored";
    if (!is_copy_name(item.storage_name) || item.rows < 0 || !is_hash(item.content_hash) ||
        item.definition.type != Json::Type::object || item.source_schema.empty() ||
        item.source_name.empty())
      return "what the dump recorded of " + table + " is not what snapshot_create records";
    spi.execute(
        "SELECT c.oid::pg_catalog.int8 FROM pg_catalog.pg_class c "
        " WHERE c.relnamespace OPERATOR(pg_catalog.=) "
        "       'pgdb_tools_snapshots'::pg_catalog.regnamespace "
        "   AND c.relname OPERATOR(pg_catalog.=) $1 AND c.relkind OPERATOR(pg_catalog.=) 'r' "
        "   AND c.relowner OPERATOR(pg_catalog.=) $2",
        {pg::Param::text(item.storage_name), pg::Param::oid(user)}, true);
    if (spi.row_count() == 0)
      return "its copy of " + table + ", " + std::string(storage_schema) + "." +
             pg::quote_identifier(item.storage_name) +
             ", is not a table of yours (restore it with the snapshot, pg_restore --no-owner)";
    item.restored = static_cast<Oid>(spi.get_int64(0, 0).value());
  }
  return std::nullopt;
}

// The live table the item recorded, when the caller has the rights of its owner (then readers of
// that table may read the snapshot's copy of it, as for a snapshot taken here); 0 otherwise: the
// snapshot is then readable by the caller only, and nobody else's table is its source.
Oid own_live_table(pg::Spi& spi, const PendingItem& item, Oid user) {
  spi.execute(
      "SELECT c.oid::pg_catalog.int8 FROM pg_catalog.pg_class c "
      "  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace "
      " WHERE n.nspname OPERATOR(pg_catalog.=) $1 AND c.relname OPERATOR(pg_catalog.=) $2 "
      "   AND c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p}'::pg_catalog.\"char\"[]) "
      "   AND pg_catalog.pg_has_role($3, c.relowner, 'USAGE')",
      {pg::Param::text(item.source_schema), pg::Param::text(item.source_name),
       pg::Param::oid(user)},
      true);
  return spi.row_count() > 0 ? static_cast<Oid>(spi.get_int64(0, 0).value()) : InvalidOid;
}

struct Adopted {
  std::int64_t id = 0;
  std::int64_t rows = 0;
  int differing = 0;
  std::vector<std::string> dropped;
};

// Copies each restored table into a new copy and records the snapshot as the caller's. Run as the
// extension's owner.
Adopted adopt(pg::Spi& spi, const Pending& p, Oid user, const std::string& user_name,
              const std::string& owner_name) {
  Adopted done;
  done.id = allocate_snapshot_id(spi);
  std::vector<std::vector<pg::Param>> item_rows;
  for (const PendingItem& item : p.items) {
    Oid restored = item.restored;
    pg::lock_relation(restored, AccessShareLock);
    std::vector<std::string> readers;
    if (user_name != owner_name) readers.push_back(user_name);
    Oid storage = create_copy(spi, done.id, item.ordinal, copy_columns(restored), readers);
    ContentHash hash;
    std::uint64_t rows = copy_rows(restored, {restored}, GetActiveSnapshot(), storage, hash);
    done.rows += static_cast<std::int64_t>(rows);
    if (static_cast<std::int64_t>(rows) != item.rows || hash.hex() != item.content_hash)
      ++done.differing;
    std::vector<std::string> dropped;
    Json definition = adopted_definition(item.definition, copy_column_facts(storage), user_name,
                                         pg::server_keywords, dropped);
    for (const std::string& what : dropped)
      done.dropped.push_back(pg::quote_identifier(item.source_name) + ": " + what);
    spi.execute("SELECT pg_catalog.pg_total_relation_size($1)", {pg::Param::oid(storage)});
    std::int64_t bytes = spi.get_int64(0, 0).value();
    // What the dump recorded of the rows stays the snapshot's record: snapshot_verify tells
    // whether the restored copy still holds them.
    item_rows.push_back(
        {pg::Param::int8(done.id), pg::Param::int4(item.ordinal),
         pg::Param::oid(own_live_table(spi, item, user)), pg::Param::text(item.source_schema),
         pg::Param::text(item.source_name),
         pg::Param::text("s" + std::to_string(done.id) + "_" + std::to_string(item.ordinal)),
         pg::Param::int8(item.rows), pg::Param::int8(bytes), pg::Param::text(item.content_hash),
         pg::Param::text(to_json_text(definition))});
  }
  spi.execute(
      "INSERT INTO pgdb_tools.snapshot_catalog (snapshot_id, name, created_at, created_by, "
      "  created_by_oid, note, tags, created_on) "
      "SELECT $1, r.name, coalesce(r.created_at, pg_catalog.clock_timestamp()), $2, $3, r.note, "
      "       coalesce(r.tags, '{}'), $4 "
      "  FROM pgdb_tools.snapshot_restored r WHERE r.restore_id OPERATOR(pg_catalog.=) $5 "
      "ON CONFLICT (created_by_oid, created_on, name) WHERE created_by_oid "
      "OPERATOR(pg_catalog.<>) 0 DO NOTHING RETURNING snapshot_id",
      {pg::Param::int8(done.id), pg::Param::text(user_name), pg::Param::oid(user),
       pg::Param::text(std::to_string(GetSystemIdentifier())), pg::Param::int8(p.restore_id)});
  if (spi.row_count() == 0)
    throw Error(sqlstate::duplicate_object, "you already have a snapshot named \"" + p.name + "\"",
                {}, "Drop it first, then run snapshot_adopt() again.");
  for (const std::vector<pg::Param>& row : item_rows)
    spi.execute(
        "INSERT INTO pgdb_tools.snapshot_items (snapshot_id, ordinal, source_relid, source_schema, "
        "  source_name, storage_name, rows, bytes, content_hash, definition) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb)",
        row);
  for (const char* inbox : {"snapshot_restored", "snapshot_restored_items"})
    spi.execute(std::string("DELETE FROM pgdb_tools.") + inbox +
                    " WHERE restored_by OPERATOR(pg_catalog.=) $1 "
                    "   AND snapshot_id OPERATOR(pg_catalog.=) $2",
                {pg::Param::oid(user), pg::Param::int8(p.dump_id)});
  return done;
}

// The restored tables (and the views restored beside them) are the caller's: dropped as the
// caller, only when they are still its own.
void drop_restored(pg::Spi& spi, const Pending& p, Oid user) {
  for (const PendingItem& item : p.items)
    for (const std::string& suffix : {std::string("_read"), std::string()}) {
      const std::string name = item.storage_name + suffix;
      spi.execute(
          "SELECT c.relkind::pg_catalog.text FROM pg_catalog.pg_class c "
          " WHERE c.relnamespace OPERATOR(pg_catalog.=) "
          "       'pgdb_tools_snapshots'::pg_catalog.regnamespace "
          "   AND c.relname OPERATOR(pg_catalog.=) $1 AND c.relowner OPERATOR(pg_catalog.=) $2 "
          "   AND c.relkind OPERATOR(pg_catalog.=) ANY ('{r,v}'::pg_catalog.\"char\"[])",
          {pg::Param::text(name), pg::Param::oid(user)}, true);
      if (spi.row_count() == 0) continue;
      std::string kind = spi.get_text(0, 0).value() == "v" ? "VIEW " : "TABLE ";
      spi.execute("DROP " + kind + storage_schema + "." + pg::quote_identifier(name));
    }
}

}  // namespace

}  // namespace pgdb::snapshots

using namespace pgdb;
using namespace pgdb::snapshots;

PGDB_FUNCTION(pgdb_tools_snapshot_adopt) {
  pg::SearchPath trusted(pg::trusted_search_path);
  std::optional<std::string> only;
  if (!PG_ARGISNULL(0)) only = pg::text_to_string(PG_GETARG_DATUM(0));
  pg::Spi spi;
  const Oid user = GetUserId();
  const std::string user_name = current_user_name();
  pg::ExtensionOwner owner(spi);
  const std::string& owner_name = owner.name();
  rebind_creators(spi, owner);
  pg::ResultRows result(fcinfo);
  std::vector<Pending> pending;
  {
    pg::ActingAs as_owner = owner.acting();
    pending = load_pending(spi, user, only);
  }
  for (Pending& p : pending) {
    std::optional<std::string> refused;
    Adopted done;
    {
      pg::ActingAs as_owner = owner.acting();
      refused = refusal(spi, p, user, user_name);
      if (!refused) done = adopt(spi, p, user, user_name, owner_name);
    }
    if (refused) {
      result.add({p.name, std::nullopt, std::nullopt, std::nullopt, "not adopted: " + *refused});
      continue;
    }
    drop_restored(spi, p, user);
    std::string detail = done.differing == 0 ? "adopted; rows and content hashes are as recorded"
                                             : "adopted; " + std::to_string(done.differing) +
                                                   " of its tables differ from what was recorded "
                                                   "(snapshot_verify shows which)";
    if (!done.dropped.empty()) {
      detail += "; left out of its definition:";
      for (const std::string& what : done.dropped) detail += " " + what + ";";
      detail.pop_back();
    }
    result.add({p.name, std::to_string(done.id), std::to_string(p.items.size()),
                std::to_string(done.rows), detail});
  }
  return Datum(0);
}
