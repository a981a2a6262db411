// The in-place restore as named steps: find and lock the tables (in OID order), refuse what would
// make the reload lie (rules on INSERT, forced row-level security, owners that cannot read the
// copy, references from outside), order the loads by foreign keys, switch the user triggers off,
// empty and reload each table as its owner, reset its sequences, switch the triggers back.
#include <algorithm>
#include <map>
#include <optional>
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
#include "snapshots/bulk_reload_pg.hpp"
#include "snapshots/restore_plan.hpp"
#include "snapshots/restore_support_pg.hpp"

extern "C" {
#include "commands/trigger.h"
#include "utils/rls.h"
}

namespace pgdb::snapshots {

namespace {

// One table of an in-place restore, as the steps learn about it.
struct InPlaceTable {
  const StoredTable* item;
  Oid relid;
  Oid owner = InvalidOid;
  std::string target;  // the table's quoted name now
  ColumnMapping mapping;
  std::optional<RowChanges> changes;
  bool bulk = false;  // reloaded through the bulk path (bulk_reload_pg.hpp), not INSERT ... SELECT
};

// Step 1: the tables as they are now, checked as the caller's to restore, then locked at once for
// the whole restore (TRUNCATE needs this lock anyway), in OID order, so that restores of
// overlapping tables queue rather than deadlock, and what is read below is current.
std::vector<InPlaceTable> lock_tables(pg::Spi& spi, const std::string& name,
                                      const std::vector<const StoredTable*>& items) {
  std::vector<InPlaceTable> tables;
  for (const StoredTable* item : items) {
    Oid relid = live_table(*item);
    if (!OidIsValid(relid))
      throw Error(
          sqlstate::undefined_table,
          "table " + item->source_quoted() + " of snapshot \"" + name + "\" no longer exists", {},
          "Recreate it from the snapshot with target_schema => 'some_schema'.");
    pg::require_table(relid, "table");
    pg::require_table_owner(relid, "restore it");
    pg::require_user_table(spi, relid, "restore");
    tables.push_back({item, relid});
  }
  std::vector<Oid> by_oid;
  for (const InPlaceTable& table : tables) by_oid.push_back(table.relid);
  std::sort(by_oid.begin(), by_oid.end());
  for (Oid relid : by_oid) pg::lock_relation(relid, AccessExclusiveLock);
  for (InPlaceTable& table : tables) {
    if (live_table(*table.item) != table.relid)
      throw Error(
          sqlstate::object_not_in_prerequisite_state,
          "table " + table.item->source_quoted() + " was replaced while the restore waited for it",
          {}, "Run the restore again.");
    table.target = pg::table_name(table.relid).quoted();
  }
  for (const StoredTable* item : items) require_storage(*item, name);
  return tables;
}

// Step 2: a rule on INSERT would send the reloaded rows elsewhere (and SPI would still count them).
void refuse_insert_rules(const std::vector<InPlaceTable>& tables) {
  for (const InPlaceTable& table : tables) {
    bool insert_rule = false;
    {
      pg::OpenRelation rel(table.relid, NoLock);
      if (rel->rd_rules != nullptr)
        for (int r = 0; r < rel->rd_rules->numLocks; ++r)
          if (rel->rd_rules->rules[r]->event == CMD_INSERT) insert_rule = true;
    }
    if (insert_rule)
      throw Error(
          sqlstate::object_not_in_prerequisite_state,
          "cannot restore " + table.item->source_quoted() + " in place: it has a rule on INSERT",
          {},
          "Drop the rule for the restore (and create it again after it, in the same transaction), "
          "or restore into another schema with target_schema.");
  }
}

// Step 3: each table with its partitions (locked), table or partition -> index in tables. No
// table may be restored twice (an old snapshot may hold a partition and its parent both).
std::map<Oid, int> members_of(const std::vector<InPlaceTable>& tables) {
  std::map<Oid, int> member_of;
  for (std::size_t i = 0; i < tables.size(); ++i) {
    Oid relid = tables[i].relid;
    for (Oid part : pg::with_inheritors(relid, AccessExclusiveLock)) {
      if (part != relid && !pg::is_partition(part)) continue;
      auto [it, inserted] = member_of.emplace(part, static_cast<int>(i));
      if (!inserted)
        throw Error(sqlstate::object_not_in_prerequisite_state,
                    "table " + pg::table_name(part).quoted() + " would be restored twice, by " +
                        tables[it->second].item->source_quoted() + " and by " +
                        tables[i].item->source_quoted(),
                    {}, "List only one of them in tables.");
    }
  }
  return member_of;
}

// 42501 unless the table's owner may read the snapshot's copy of it; 55000 when row-level
// security is forced on the owner.
void require_owner_can_reload(pg::Spi& spi, const InPlaceTable& table) {
  const Oid owner = table.owner;
  const std::string source = table.item->source_quoted();
  std::string owner_name = pg::quote_identifier(pg::role_name(owner));
  // The copy's view checks its reader through functions in schema pgdb_tools.
  spi.execute("SELECT pg_catalog.has_schema_privilege($1, 'pgdb_tools', 'USAGE')",
              {pg::Param::oid(owner)}, true);
  if (!spi.get_bool(0, 0).value_or(false))
    throw Error(sqlstate::insufficient_privilege,
                "cannot restore " + source + " in place: its owner " + owner_name +
                    " has no USAGE on schema pgdb_tools",
                "An in-place restore loads each table as its owner, who reads the snapshot's "
                "copy through the extension's functions.",
                "GRANT USAGE ON SCHEMA pgdb_tools TO " + owner_name +
                    ", or restore into another schema with target_schema.");
  // With FORCE ROW LEVEL SECURITY the owner's own policies apply to it: the reload would remove
  // rows they hide from it (TRUNCATE sees every row) and put back rows they may forbid. Lifting
  // FORCE for the restore is the owner's explicit decision.
  Oid relid = table.relid;
  if (pg::call([relid, owner] { return check_enable_rls(relid, owner, true) == RLS_ENABLED; }))
    throw Error(
        sqlstate::object_not_in_prerequisite_state,
        "cannot restore " + source + " in place: row-level security is forced on its owner " +
            owner_name,
        "An in-place restore empties the table and loads it as its owner; with FORCE ROW "
        "LEVEL SECURITY the owner's policies would hide rows from the restore and filter what "
        "it puts back.",
        "Lift it for the restore in the same transaction: ALTER TABLE " + table.target +
            " NO FORCE ROW LEVEL SECURITY; then the restore, "
            "then ALTER TABLE ... FORCE ROW LEVEL SECURITY. Or restore into another schema with "
            "target_schema.");
  pg::ActingAs as_table_owner(owner);
  spi.execute("SELECT pgdb_tools._snapshot_item_readable($1, $2)",
              {pg::Param::int8(table.item->snapshot_id), pg::Param::int4(table.item->ordinal)});
  if (!spi.get_bool(0, 0).value_or(false))
    throw Error(sqlstate::insufficient_privilege,
                "cannot restore " + source + " in place: its owner " + owner_name +
                    " cannot read the snapshot's copy of it",
                "An in-place restore loads each table as its owner, who must have SELECT on every "
                "column the snapshot recorded, with no row-level security hiding rows.",
                "Restore into another schema with target_schema.");
}

// Step 4: each table is loaded as its owner. Returns whether all have one owner.
bool check_owners(pg::Spi& spi, std::vector<InPlaceTable>& tables, bool fire_triggers) {
  for (InPlaceTable& table : tables) {
    table.owner = pg::table_owner(table.relid);
    require_owner_can_reload(spi, table);
  }
  bool one_owner = std::all_of(tables.begin(), tables.end(), [&](const InPlaceTable& t) {
    return t.owner == tables.front().owner;
  });
  if (fire_triggers && !one_owner)
    throw Error(
        sqlstate::feature_not_supported,
        "cannot restore tables of different owners with fire_triggers in one call",
        "With fire_triggers, TRUNCATE triggers run as the tables' owner, which must be one role.",
        "Restore each owner's tables in a call of its own.");
  return one_owner;
}

// Step 5: foreign keys. A table outside the restore referencing one inside would be left dangling
// (and TRUNCATE refuses); those among the restored tables set the load order.
std::vector<int> order_by_foreign_keys(pg::Spi& spi, const std::map<Oid, int>& member_of,
                                       int count) {
  std::vector<Oid> members;
  for (auto [relid, index] : member_of) members.push_back(relid);
  spi.execute(
      "SELECT conrelid::int8, confrelid::int8, conname::text FROM pg_catalog.pg_constraint "
      " WHERE contype = 'f' AND confrelid = ANY ($1::oid[])",
      {pg::Param{OIDARRAYOID, pg::oids_to_array(members), false}}, true);
  std::vector<std::pair<int, int>> references;
  for (std::uint64_t r = 0; r < spi.row_count(); ++r) {
    Oid referencing = static_cast<Oid>(spi.get_int64(r, 0).value());
    Oid referenced = static_cast<Oid>(spi.get_int64(r, 1).value());
    auto from = member_of.find(referencing);
    if (from == member_of.end())
      throw Error(
          sqlstate::object_not_in_prerequisite_state,
          "cannot restore " + pg::table_name(referenced).quoted() + " in place: table " +
              pg::table_name(referencing).quoted() + " references it and is not restored",
          "Foreign key: " + spi.get_text(r, 2).value() + ".",
          "Restore both tables together, or restore into another schema with target_schema.");
    references.emplace_back(from->second, member_of.at(referenced));
  }
  return load_order(count, references);
}

struct SwitchedTrigger {
  std::string table;
  std::string name;
  char enabled;
};

// Step 6: user triggers are not fired by the reload unless asked: the enabled ones are disabled
// now and each put back as it was afterwards (all inside this transaction). Each table's and
// partition's own triggers, as the relation cache has them now that the tables are locked,
// switched with ALTER TABLE ONLY: on a partitioned table, ALTER TABLE without ONLY would also
// switch the partitions' clones, whose states may differ.
std::vector<SwitchedTrigger> disable_triggers(pg::Spi& spi, const std::map<Oid, int>& member_of) {
  std::vector<SwitchedTrigger> disabled;
  for (auto [relid, index] : member_of) {
    std::string table = pg::table_name(relid).quoted();
    pg::OpenRelation rel(relid, NoLock);
    if (rel->trigdesc != nullptr)
      for (int t = 0; t < rel->trigdesc->numtriggers; ++t) {
        const ::Trigger& trigger = rel->trigdesc->triggers[t];
        if (!trigger.tgisinternal && trigger.tgenabled != TRIGGER_DISABLED)
          disabled.push_back({table, trigger.tgname, trigger.tgenabled});
      }
  }
  for (const SwitchedTrigger& t : disabled)
    spi.execute("ALTER TABLE ONLY " + t.table + " DISABLE TRIGGER " + pg::quote_identifier(t.name));
  return disabled;
}

void enable_triggers(pg::Spi& spi, const std::vector<SwitchedTrigger>& disabled) {
  for (const SwitchedTrigger& t : disabled) {
    const char* mode = t.enabled == TRIGGER_FIRES_ALWAYS       ? "ENABLE ALWAYS TRIGGER "
                       : t.enabled == TRIGGER_FIRES_ON_REPLICA ? "ENABLE REPLICA TRIGGER "
                                                               : "ENABLE TRIGGER ";
    spi.execute("ALTER TABLE ONLY " + t.table + " " + mode + pg::quote_identifier(t.name));
  }
}

// Step 7: every table emptied at once. With the triggers disabled TRUNCATE runs no code of the
// owners', but as the owner all the same when there is one.
void truncate_tables(pg::Spi& spi, const std::vector<InPlaceTable>& tables, bool one_owner,
                     const std::string& caller_path) {
  std::string truncate;
  for (const InPlaceTable& table : tables) {
    bool partitioned = pg::relkind(table.relid) == RELKIND_PARTITIONED_TABLE;
    truncate +=
        (truncate.empty() ? "" : ", ") + std::string(partitioned ? "" : "ONLY ") + table.target;
  }
  std::optional<pg::ActingAs> as_table_owner;
  std::optional<pg::SearchPath> path;
  if (one_owner) {
    as_table_owner.emplace(tables.front().owner);
    path.emplace(caller_path);
  }
  spi.execute("TRUNCATE TABLE " + truncate);
}

// Step 8: one table reloaded from its copy as its owner (through the bulk path when
// bulk_reload_refusal allows it), and its sequences reset.
std::uint64_t reload(pg::Spi& spi, const std::string& name, const InPlaceTable& table,
                     const std::string& caller_path) {
  Oid storage = require_storage(*table.item, name);
  const ColumnMapping& mapping = table.mapping;
  if (!mapping.ignored.empty())
    pg::notice("restoring " + table.target +
               ": snapshot columns no longer in the table are not restored: " +
               column_list(mapping.ignored));
  pg::ActingAs as_table_owner(table.owner);
  std::uint64_t rows = 0;
  {
    pg::SearchPath path(caller_path);
    RestoreContext context(table.target, name);
    std::string columns = column_list(mapping.columns);
    if (table.bulk)
      rows = bulk_reload(spi, table.relid, table.target, storage);
    else
      rows = spi.execute("INSERT INTO " + table.target + " (" + columns + ")" +
                         (mapping.overriding_system_value ? " OVERRIDING SYSTEM VALUE" : "") +
                         " SELECT " + columns + " FROM " + table.item->read_quoted());
  }
  require_all_rows(*table.item, table.target, rows);
  reset_sequences(spi, *table.item, table.relid, table.target);
  return rows;
}

}  // namespace

// The owner's code that a load fires (triggers, CHECK functions) runs as the owner but with the
// caller's search_path, as it would had the owner run the INSERT in this session: under the
// trusted path a trigger naming its tables unqualified would fail. The statements themselves are
// fully qualified, and the sequence reset runs under the trusted path again.
std::vector<Restored> restore_in_place(pg::Spi& spi, const std::string& name,
                                       const std::vector<const StoredTable*>& items,
                                       bool fire_triggers, const std::string& caller_path) {
  std::vector<InPlaceTable> tables = lock_tables(spi, name, items);
  refuse_insert_rules(tables);
  std::map<Oid, int> member_of = members_of(tables);
  std::vector<Oid> members;
  for (auto [relid, index] : member_of) members.push_back(relid);
  require_no_citus_tables(spi, members, "restore");
  bool one_owner = check_owners(spi, tables, fire_triggers);
  std::vector<int> order = order_by_foreign_keys(spi, member_of, static_cast<int>(tables.size()));
  std::vector<SwitchedTrigger> disabled;
  if (!fire_triggers) disabled = disable_triggers(spi, member_of);
  // How each copy loads, and what the reload will change, while the rows are still there.
  for (InPlaceTable& table : tables) {
    Oid storage = require_storage(*table.item, name);
    table.mapping = mapping_for(table.target, storage, table.relid);
    table.changes = changes_of(table.relid, storage, table.mapping);
    table.bulk = !bulk_reload_refusal(table.mapping, reload_facts(spi, table.relid, table.owner));
  }
  truncate_tables(spi, tables, one_owner, caller_path);
  std::vector<Restored> result(tables.size());
  for (int index : order) {
    const InPlaceTable& table = tables[index];
    std::uint64_t rows = reload(spi, name, table, caller_path);
    result[index] = {table.item->source_quoted(), table.target, static_cast<std::int64_t>(rows),
                     table.changes};
    report_progress(name, table.target, rows);
  }
  enable_triggers(spi, disabled);
  return result;
}

}  // namespace pgdb::snapshots
