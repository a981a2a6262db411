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
#include "pg/datum.hpp"
#include "pg/guard.hpp"
#include "pg/quote.hpp"
#include "pg/relation.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"
#include "pg/srf.hpp"
#include "snapshots/restore_plan.hpp"
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

// Adds "restoring <table> from snapshot <name>" to the context of any error raised while alive.
class RestoreContext {
 public:
  RestoreContext(const std::string& table, const std::string& snapshot) {
    snprintf(text_, sizeof text_, "restoring %s from snapshot \"%s\"", table.c_str(),
             snapshot.c_str());
    callback_.callback = [](void* arg) { errcontext("%s", static_cast<const char*>(arg)); };
    callback_.arg = text_;
    callback_.previous = error_context_stack;
    error_context_stack = &callback_;
  }
  ~RestoreContext() { error_context_stack = callback_.previous; }
  RestoreContext(const RestoreContext&) = delete;
  RestoreContext& operator=(const RestoreContext&) = delete;

 private:
  char text_[1024];
  ErrorContextCallback callback_;
};

struct ColumnFacts {
  std::string name;
  std::string type;
  Oid type_oid;
  bool generated;
  bool identity_always;
};

// The table's columns as the relation cache has them: current once the table is locked, also in
// a REPEATABLE READ transaction whose snapshot predates a change.
std::vector<ColumnFacts> columns_of(Oid relid) {
  Relation rel = pg::call([relid] { return relation_open(relid, AccessShareLock); });
  TupleDesc desc = RelationGetDescr(rel);
  std::vector<ColumnFacts> columns;
  for (int i = 0; i < desc->natts; ++i) {
    Form_pg_attribute att = TupleDescAttr(desc, i);
    if (att->attisdropped) continue;
    std::string type =
        pg::call([att] { return format_type_with_typemod(att->atttypid, att->atttypmod); });
    columns.push_back({NameStr(att->attname), type, att->atttypid, att->attgenerated != '\0',
                       att->attidentity == ATTRIBUTE_IDENTITY_ALWAYS});
  }
  pg::call([rel] { relation_close(rel, NoLock); });
  return columns;
}

// The equality operator the diff joins a key column with, schema-qualified: the key type's own
// (its default btree class's, as the primary key uses), never one a caller's search_path finds.
// When the column's type changed since the snapshot, IS NOT DISTINCT FROM, resolved under the
// trusted search_path.
std::string key_equality(const std::vector<ColumnFacts>& stored,
                         const std::vector<ColumnFacts>& live, const std::string& column) {
  Oid stored_type = InvalidOid, live_type = InvalidOid;
  for (const ColumnFacts& c : stored)
    if (c.name == column) stored_type = c.type_oid;
  for (const ColumnFacts& c : live)
    if (c.name == column) live_type = c.type_oid;
  if (stored_type == live_type && OidIsValid(live_type)) {
    Oid eq =
        pg::call([live_type] { return lookup_type_cache(live_type, TYPECACHE_EQ_OPR)->eq_opr; });
    if (OidIsValid(eq)) {
      char* opname = pg::call([eq] { return get_opname(eq); });
      Oid nsp = pg::call([eq] {
        HeapTuple tuple = SearchSysCache1(OPEROID, ObjectIdGetDatum(eq));
        Oid n = HeapTupleIsValid(tuple)
                    ? reinterpret_cast<Form_pg_operator>(GETSTRUCT(tuple))->oprnamespace
                    : InvalidOid;
        if (HeapTupleIsValid(tuple)) ReleaseSysCache(tuple);
        return n;
      });
      char* schema =
          OidIsValid(nsp) ? pg::call([nsp] { return get_namespace_name(nsp); }) : nullptr;
      if (opname != nullptr && schema != nullptr)
        return "OPERATOR(" + pg::quote_identifier(schema) + "." + opname + ")";
    }
  }
  return "IS NOT DISTINCT FROM";
}

std::string column_list(const std::vector<std::string>& columns) {
  std::string out;
  for (const std::string& c : columns) out += (out.empty() ? "" : ", ") + pg::quote_identifier(c);
  return out;
}

std::vector<Oid> regclass_array(Datum array_datum) {
  std::vector<Oid> values;
  for (Datum d : array_elements(array_datum, REGCLASSOID, "tables"))
    values.push_back(DatumGetObjectId(d));
  return values;
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

// The stored copy, locked against snapshot_drop for the rest of the transaction. Its rows are read
// through its _read view as the caller: both must be the extension's (a view another role made
// under that name would run its code with the caller's rights).
Oid require_storage(const StoredTable& item, const std::string& snapshot) {
  Oid view = read_view_relid(item);
  Oid storage = OidIsValid(view) ? copy_relid(item) : InvalidOid;
  if (OidIsValid(storage)) {
    pg::call([storage, view] {
      LockRelationOid(storage, AccessShareLock);
      LockRelationOid(view, AccessShareLock);
    });
    if (!pg::call([storage, view] {
          return SearchSysCacheExists1(RELOID, ObjectIdGetDatum(storage)) &&
                 SearchSysCacheExists1(RELOID, ObjectIdGetDatum(view));
        }))
      throw Error(sqlstate::undefined_object,
                  "snapshot \"" + snapshot + "\" was dropped while this call waited for it");
  }
  if (!OidIsValid(storage))
    throw Error(sqlstate::object_not_in_prerequisite_state,
                "the stored copy of " + item.source_quoted() + " in snapshot \"" + snapshot +
                    "\" is missing",
                {}, "snapshot_verify() reports the state of every copy.");
  return storage;
}

// Every row of the copy must have arrived: a rule or a trigger on the table that drops or
// redirects inserted rows would otherwise leave the table short without a word.
void require_all_rows(const StoredTable& item, const std::string& target, std::uint64_t rows) {
  if (static_cast<std::int64_t>(rows) != item.rows)
    throw Error(sqlstate::object_not_in_prerequisite_state,
                "restoring " + target + " stored " + std::to_string(rows) +
                    " rows of the snapshot's " + std::to_string(item.rows),
                {},
                "A rule or trigger on the table skips or redirects inserted rows; remove it, or "
                "restore into another schema with target_schema.");
}

// Resets the owned sequence of each recorded column of `table` (quoted) to its recorded value.
void reset_sequences(pg::Spi& spi, const StoredTable& item, Oid table,
                     const std::string& table_quoted) {
  const Json* sequences = item.definition.find("sequences");
  if (sequences == nullptr || sequences->type != Json::Type::array) return;
  for (const Json& seq : sequences->items) {
    const Json* column = seq.find("column");
    const Json* recorded = seq.find("recorded");
    const Json* last = seq.find("last_value");
    if (column == nullptr || column->type != Json::Type::string) continue;
    if (recorded == nullptr || recorded->type != Json::Type::boolean || !recorded->boolean) {
      // Not recorded (the taker could not read it) or not shown to this caller: continue after
      // the highest value restored, so that the next insert does not collide.
      spi.execute(
          "SELECT pg_catalog.setval(s.seq, m.v) "
          "  FROM (SELECT pg_catalog.pg_get_serial_sequence($3, $2)::pg_catalog.regclass AS seq "
          "         WHERE EXISTS (SELECT FROM pg_catalog.pg_attribute WHERE attrelid "
          "OPERATOR(pg_catalog.=) $1 "
          "                          AND attname OPERATOR(pg_catalog.=) $2 AND NOT attisdropped)) "
          "s, "
          "       LATERAL (SELECT pg_catalog.max(" +
              pg::quote_identifier(column->text) +
              ")::int8 AS v "
              "                  FROM " +
              table_quoted +
              ") m "
              " WHERE m.v IS NOT NULL",
          {pg::Param::oid(table), pg::Param::text(column->text), pg::Param::text(table_quoted)});
      pg::notice("the sequence of column \"" + column->text + "\" of " + table_quoted +
                 " was not recorded for you: set to the column's highest value");
      continue;
    }
    bool called = last != nullptr && last->type == Json::Type::number;
    spi.execute(
        "SELECT pg_catalog.setval(s.seq, coalesce($3::int8, q.seqstart), $3 IS NOT NULL) "
        "  FROM (SELECT pg_catalog.pg_get_serial_sequence($4, $2)::pg_catalog.regclass AS seq "
        "         WHERE EXISTS (SELECT FROM pg_catalog.pg_attribute WHERE attrelid "
        "OPERATOR(pg_catalog.=) $1 "
        "                          AND attname OPERATOR(pg_catalog.=) $2 AND NOT attisdropped)) s "
        "  JOIN pg_catalog.pg_sequence q ON q.seqrelid OPERATOR(pg_catalog.=) "
        "s.seq::pg_catalog.oid",
        {pg::Param::oid(table), pg::Param::text(column->text),
         called ? pg::Param::text(last->text) : pg::Param::null(TEXTOID),
         pg::Param::text(table_quoted)});
  }
}

// A NOTICE per large table, so that a long restore shows where it is.
void report_progress(const std::string& snapshot, const std::string& target, std::uint64_t rows) {
  if (rows >= progress_rows)
    pg::notice("snapshot \"" + snapshot + "\": restored " + target + ", " + std::to_string(rows) +
               " rows");
}

struct Restored {
  std::string source;
  std::string target;
  std::int64_t rows;
  // In place: rows the restore removed and reinstated (see compare_rows); unknown otherwise.
  std::optional<RowChanges> changes;
};

// How a table's stored copy loads into the table as it is now (columns matched by name).
ColumnMapping mapping_for(const std::string& target, Oid storage, Oid relid) {
  std::vector<ColumnFacts> stored_facts = columns_of(storage);
  std::vector<ColumnFacts> live_facts = columns_of(relid);
  std::map<std::string, Oid> type_oids;
  std::vector<StoredColumn> stored;
  std::vector<LiveColumn> now;
  for (const ColumnFacts& c : stored_facts) {
    stored.push_back({c.name, c.type});
    type_oids[c.type] = c.type_oid;
  }
  for (const ColumnFacts& c : live_facts) {
    now.push_back({c.name, c.type, c.generated, c.identity_always});
    type_oids[c.type] = c.type_oid;
  }
  return map_columns(target, stored, now, [&](const std::string& from, const std::string& to) {
    Oid from_oid = type_oids.at(from);
    Oid to_oid = type_oids.at(to);
    return pg::call([from_oid, to_oid] {
      Oid from_types[1] = {from_oid};
      Oid to_types[1] = {to_oid};
      return can_coerce_type(1, from_types, to_types, COERCION_ASSIGNMENT);
    });
  });
}

// What restoring the copy `storage` into table relid (locked) changes: its rows now against the
// copy's, by row hash over the columns loaded with their type unchanged (generated columns are
// recomputed, a retyped column converted). Nothing when no such column is left.
std::optional<RowChanges> changes_of(Oid relid, Oid storage, const ColumnMapping& mapping) {
  std::vector<std::string> compared;
  for (const std::string& column : mapping.columns)
    if (std::find(mapping.retyped.begin(), mapping.retyped.end(), column) == mapping.retyped.end())
      compared.push_back(column);
  if (compared.empty()) return std::nullopt;
  std::vector<unsigned __int128> current, snapshot;
  // Every row TRUNCATE will remove: the table is locked, so the latest snapshot sees them all.
  Snapshot latest = pg::call([] { return RegisterSnapshot(GetLatestSnapshot()); });
  row_digests(leaves_of(relid), latest, compared, current);
  pg::call([latest] { UnregisterSnapshot(latest); });
  row_digests({storage}, GetActiveSnapshot(), compared, snapshot);
  return compare_rows(current, snapshot);
}

// The owner's code that a load fires (triggers, CHECK functions) runs as the owner but with the
// caller's search_path, as it would had the owner run the INSERT in this session: under the
// trusted path a trigger naming its tables unqualified would fail. The statements themselves are
// fully qualified, and the sequence reset runs under the trusted path again.
std::vector<Restored> restore_in_place(pg::Spi& spi, const std::string& name,
                                       const std::vector<const StoredTable*>& items,
                                       bool fire_triggers, const std::string& caller_path) {
  // The tables as they are now.
  std::vector<Oid> live;
  for (std::size_t i = 0; i < items.size(); ++i) {
    Oid relid = live_table(*items[i]);
    if (!OidIsValid(relid))
      throw Error(
          sqlstate::undefined_table,
          "table " + items[i]->source_quoted() + " of snapshot \"" + name + "\" no longer exists",
          {}, "Recreate it from the snapshot with target_schema => 'some_schema'.");
    pg::require_table(relid, "table");
    pg::require_table_owner(relid, "restore it");
    pg::require_user_table(spi, relid, "restore");
    live.push_back(relid);
  }
  // Locked at once for the whole restore (TRUNCATE needs this lock anyway), in OID order, so that
  // restores of overlapping tables queue rather than deadlock, and what is read below is current.
  std::vector<Oid> by_oid = live;
  std::sort(by_oid.begin(), by_oid.end());
  for (Oid relid : by_oid) pg::call([relid] { LockRelationOid(relid, AccessExclusiveLock); });
  for (std::size_t i = 0; i < items.size(); ++i)
    if (live_table(*items[i]) != live[i])
      throw Error(
          sqlstate::object_not_in_prerequisite_state,
          "table " + items[i]->source_quoted() + " was replaced while the restore waited for it",
          {}, "Run the restore again.");
  for (const StoredTable* item : items) require_storage(*item, name);
  // A rule on INSERT would send the reloaded rows elsewhere (and SPI would still count them).
  for (std::size_t i = 0; i < items.size(); ++i) {
    Oid relid = live[i];
    bool insert_rule = pg::call([relid] {
      Relation rel = relation_open(relid, NoLock);
      bool found = false;
      if (rel->rd_rules != nullptr)
        for (int r = 0; r < rel->rd_rules->numLocks; ++r)
          if (rel->rd_rules->rules[r]->event == CMD_INSERT) found = true;
      relation_close(rel, NoLock);
      return found;
    });
    if (insert_rule)
      throw Error(
          sqlstate::object_not_in_prerequisite_state,
          "cannot restore " + items[i]->source_quoted() + " in place: it has a rule on INSERT", {},
          "Drop the rule for the restore (and create it again after it, in the same transaction), "
          "or restore into another schema with target_schema.");
  }
  // Each table with its partitions; no table may be restored twice (an old snapshot may hold a
  // partition and its parent both).
  std::map<Oid, int> member_of;  // each table and partition -> index in items
  for (std::size_t i = 0; i < items.size(); ++i) {
    Oid relid = live[i];
    List* tree =
        pg::call([relid] { return find_all_inheritors(relid, AccessExclusiveLock, nullptr); });
    ListCell* cell;
    foreach (cell, tree) {
      Oid part = lfirst_oid(cell);
      if (part != relid && !pg::call([part] { return get_rel_relispartition(part); })) continue;
      auto [it, inserted] = member_of.emplace(part, static_cast<int>(i));
      if (!inserted)
        throw Error(sqlstate::object_not_in_prerequisite_state,
                    "table " + pg::table_name(part).quoted() + " would be restored twice, by " +
                        items[it->second]->source_quoted() + " and by " + items[i]->source_quoted(),
                    {}, "List only one of them in tables.");
    }
  }
  std::string members = "{";
  std::vector<Oid> member_list;
  for (auto [relid, index] : member_of) {
    members += (members.size() > 1 ? "," : "") + std::to_string(relid);
    member_list.push_back(relid);
  }
  members += "}";
  require_no_citus_tables(spi, member_list, "restore");

  // Each table is loaded as its owner. The owner must be able to read the snapshot's copy of it
  // (the copy's view admits who may read the table or took the snapshot).
  std::vector<Oid> owners;
  for (std::size_t i = 0; i < items.size(); ++i) {
    Oid relid = live[i];
    Oid table_owner = pg::call([relid] {
      Relation rel = relation_open(relid, NoLock);
      Oid o = rel->rd_rel->relowner;
      relation_close(rel, NoLock);
      return o;
    });
    owners.push_back(table_owner);
    std::string owner_name = pg::quote_identifier(
        pg::call([table_owner] { return GetUserNameFromId(table_owner, false); }));
    // The copy's view checks its reader through functions in schema pgdb_tools.
    spi.execute("SELECT pg_catalog.has_schema_privilege($1, 'pgdb_tools', 'USAGE')",
                {pg::Param::oid(table_owner)}, true);
    if (!spi.get_bool(0, 0).value_or(false))
      throw Error(sqlstate::insufficient_privilege,
                  "cannot restore " + items[i]->source_quoted() + " in place: its owner " +
                      owner_name + " has no USAGE on schema pgdb_tools",
                  "An in-place restore loads each table as its owner, who reads the snapshot's "
                  "copy through the extension's functions.",
                  "GRANT USAGE ON SCHEMA pgdb_tools TO " + owner_name +
                      ", or restore into another schema with target_schema.");
    // With FORCE ROW LEVEL SECURITY the owner's own policies apply to it: the reload would
    // remove rows they hide from it (TRUNCATE sees every row) and put back rows they may forbid.
    // Lifting FORCE for the restore is the owner's explicit decision.
    if (pg::call([relid, table_owner] {
          return check_enable_rls(relid, table_owner, true) == RLS_ENABLED;
        }))
      throw Error(
          sqlstate::object_not_in_prerequisite_state,
          "cannot restore " + items[i]->source_quoted() +
              " in place: row-level security is "
              "forced on its owner " +
              owner_name,
          "An in-place restore empties the table and loads it as its owner; with FORCE ROW "
          "LEVEL SECURITY the owner's policies would hide rows from the restore and filter what "
          "it puts back.",
          "Lift it for the restore in the same transaction: ALTER TABLE " +
              pg::table_name(relid).quoted() +
              " NO FORCE ROW LEVEL SECURITY; then the restore, "
              "then ALTER TABLE ... FORCE ROW LEVEL SECURITY. Or restore into another schema with "
              "target_schema.");
    pg::ActingAs as_table_owner(table_owner);
    spi.execute("SELECT pgdb_tools._snapshot_item_readable($1, $2)",
                {pg::Param::int8(items[i]->snapshot_id), pg::Param::int4(items[i]->ordinal)});
    if (!spi.get_bool(0, 0).value_or(false))
      throw Error(
          sqlstate::insufficient_privilege,
          "cannot restore " + items[i]->source_quoted() + " in place: its owner " + owner_name +
              " cannot read the snapshot's copy of it",
          "An in-place restore loads each table as its owner, who must have SELECT on every "
          "column the snapshot recorded, with no row-level security hiding rows.",
          "Restore into another schema with target_schema.");
  }
  bool one_owner =
      std::all_of(owners.begin(), owners.end(), [&](Oid o) { return o == owners.front(); });
  if (fire_triggers && !one_owner)
    throw Error(
        sqlstate::feature_not_supported,
        "cannot restore tables of different owners with fire_triggers in one call",
        "With fire_triggers, TRUNCATE triggers run as the tables' owner, which must be one role.",
        "Restore each owner's tables in a call of its own.");

  // Foreign keys: a table outside the restore referencing one inside would be left dangling (and
  // TRUNCATE refuses); those among the restored tables set the load order.
  spi.execute(
      "SELECT conrelid::int8, confrelid::int8, conname::text FROM pg_catalog.pg_constraint "
      " WHERE contype = 'f' AND confrelid = ANY ($1::oid[])",
      {pg::Param::text(members)}, true);
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
  std::vector<int> order = load_order(static_cast<int>(items.size()), references);

  // User triggers are not fired by the reload unless asked: disable the enabled ones now and put
  // each back as it was afterwards (all inside this transaction).
  struct SwitchedTrigger {
    std::string table;
    std::string name;
    std::string enabled;
  };
  std::vector<SwitchedTrigger> disabled;
  if (!fire_triggers) {
    // Each table's and partition's own triggers, as the relation cache has them now that the
    // tables are locked, switched with ALTER TABLE ONLY: on a partitioned table, ALTER TABLE
    // without ONLY would also switch the partitions' clones, whose states may differ.
    for (auto [relid, index] : member_of) {
      Relation rel = pg::call([relid] { return relation_open(relid, NoLock); });
      std::string table = pg::table_name(relid).quoted();
      if (rel->trigdesc != nullptr)
        for (int t = 0; t < rel->trigdesc->numtriggers; ++t) {
          const ::Trigger& trigger = rel->trigdesc->triggers[t];
          if (!trigger.tgisinternal && trigger.tgenabled != TRIGGER_DISABLED)
            disabled.push_back({table, trigger.tgname, std::string(1, trigger.tgenabled)});
        }
      pg::call([rel] { relation_close(rel, NoLock); });
    }
    for (const SwitchedTrigger& t : disabled)
      spi.execute("ALTER TABLE ONLY " + t.table + " DISABLE TRIGGER " +
                  pg::quote_identifier(t.name));
  }

  // How each copy loads, and what the reload will change, while the rows are still there.
  std::vector<ColumnMapping> mappings;
  std::vector<std::optional<RowChanges>> changes;
  for (std::size_t i = 0; i < items.size(); ++i) {
    Oid storage = require_storage(*items[i], name);
    mappings.push_back(mapping_for(pg::table_name(live[i]).quoted(), storage, live[i]));
    changes.push_back(changes_of(live[i], storage, mappings.back()));
  }

  std::string truncate;
  for (std::size_t i = 0; i < items.size(); ++i) {
    bool partitioned =
        pg::call([&live, i] { return get_rel_relkind(live[i]); }) == RELKIND_PARTITIONED_TABLE;
    truncate += (truncate.empty() ? "" : ", ") + std::string(partitioned ? "" : "ONLY ") +
                pg::table_name(live[i]).quoted();
  }
  {
    // With the triggers disabled TRUNCATE runs no code of the owners', but as the owner all the
    // same when there is one.
    std::optional<pg::ActingAs> as_table_owner;
    std::optional<pg::SearchPath> path;
    if (one_owner) {
      as_table_owner.emplace(owners.front());
      path.emplace(caller_path);
    }
    spi.execute("TRUNCATE TABLE " + truncate);
  }

  std::vector<Restored> result(items.size());
  for (int index : order) {
    const StoredTable& item = *items[index];
    Oid relid = live[index];
    std::string target = pg::table_name(relid).quoted();
    require_storage(item, name);
    const ColumnMapping& mapping = mappings[index];
    if (!mapping.ignored.empty())
      pg::notice("restoring " + target +
                 ": snapshot columns no longer in the table are not restored: " +
                 column_list(mapping.ignored));
    std::uint64_t rows = 0;
    {
      pg::ActingAs as_table_owner(owners[index]);
      {
        pg::SearchPath path(caller_path);
        RestoreContext context(target, name);
        std::string columns = column_list(mapping.columns);
        rows = spi.execute("INSERT INTO " + target + " (" + columns + ")" +
                           (mapping.overriding_system_value ? " OVERRIDING SYSTEM VALUE" : "") +
                           " SELECT " + columns + " FROM " + item.read_quoted());
      }
      require_all_rows(item, target, rows);
      reset_sequences(spi, item, relid, target);
    }
    result[index] = {item.source_quoted(), target, static_cast<std::int64_t>(rows), changes[index]};
    report_progress(name, target, rows);
  }

  for (const SwitchedTrigger& t : disabled) {
    const char* mode = t.enabled == "A"   ? "ENABLE ALWAYS TRIGGER "
                       : t.enabled == "R" ? "ENABLE REPLICA TRIGGER "
                                          : "ENABLE TRIGGER ";
    spi.execute("ALTER TABLE ONLY " + t.table + " " + mode + pg::quote_identifier(t.name));
  }
  return result;
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
      Oid table_owner = pg::call([role] { return get_role_oid(role, true); });
      Oid user = GetUserId();
      trusted = OidIsValid(table_owner) &&
                pg::call([table_owner, user] { return has_privs_of_role(table_owner, user); });
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
    Oid relid = pg::call([&schema, item] {
      return get_relname_relid(item->source_name.c_str(), get_namespace_oid(schema.c_str(), false));
    });
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
  rebind_creators(spi, pg::extension_owner(spi));
  int total = 0;
  std::vector<StoredTable> items = readable_items(spi, name, total);
  std::vector<const StoredTable*> chosen;
  if (!PG_ARGISNULL(1)) {
    std::vector<Oid> tables = regclass_array(PG_GETARG_DATUM(1));
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
    Oid nsp = pg::call([&schema] { return get_namespace_oid(schema.c_str(), true); });
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
  std::vector<ColumnFacts> stored = columns_of(storage);
  std::vector<ColumnFacts> now = columns_of(relid);
  auto has = [](const std::vector<ColumnFacts>& cols, const std::string& n) {
    for (const ColumnFacts& c : cols)
      if (c.name == n) return true;
    return false;
  };
  for (const std::string& k : key)
    if (!has(stored, k))
      throw Error(
          sqlstate::object_not_in_prerequisite_state,
          "primary key column \"" + k + "\" of " + table.quoted() + " is not in the snapshot", {},
          "The key changed since the snapshot; restore it with target_schema and compare with "
          "SQL.");
  std::vector<std::string> only_stored, only_live;
  for (const ColumnFacts& c : stored)
    if (!has(now, c.name)) only_stored.push_back(c.name);
  for (const ColumnFacts& c : now)
    if (!has(stored, c.name)) only_live.push_back(c.name);

  std::string key_object, key_columns, join, order;
  for (std::size_t i = 0; i < key.size(); ++i) {
    std::string k = pg::quote_identifier(key[i]);
    std::string n = std::to_string(i);
    key_object += (i ? ", " : "") + pg::quote_literal(key[i]) + ", r." + k;
    key_columns += ", r." + k + " AS k" + n;
    join += std::string(i ? " AND " : "") + "s.k" + n + " " + key_equality(stored, now, key[i]) +
            " l.k" + n;
    order += "coalesce(l.k" + n + ", s.k" + n + "), ";
  }
  bool partitioned =
      pg::call([relid] { return get_rel_relkind(relid); }) == RELKIND_PARTITIONED_TABLE;
  auto side = [&](const std::string& from) {
    // r.* is the whole row even when the table has a column named r.
    return "(SELECT pg_catalog.to_jsonb(r.*) AS j, pg_catalog.jsonb_build_object(" + key_object +
           ") AS k" + key_columns + " FROM " + from + " r)";
  };
  std::string sql =
      "SELECT CASE WHEN s.j IS NULL THEN 'added' WHEN l.j IS NULL THEN 'removed' ELSE 'changed' "
      "END, "
      "       coalesce(l.k, s.k), s.j, l.j "
      "  FROM " +
      side(item->read_quoted()) + " s FULL JOIN " +
      side((partitioned ? "" : "ONLY ") + table.quoted()) + " l ON " + join +
      " WHERE s.j IS NULL OR l.j IS NULL "
      "    OR (s.j OPERATOR(pg_catalog.-) $1::text[]) IS DISTINCT FROM (l.j OPERATOR(pg_catalog.-) "
      "$2::text[]) "
      " ORDER BY " +
      order + "1";
  spi.execute(sql, {pg::Param{TEXTARRAYOID, pg::strings_to_text_array(only_stored), false},
                    pg::Param{TEXTARRAYOID, pg::strings_to_text_array(only_live), false}});
  pg::ResultRows result(fcinfo);
  for (std::uint64_t r = 0; r < spi.row_count(); ++r)
    result.add({spi.get_text(r, 0), spi.get_text(r, 1), spi.get_text(r, 2), spi.get_text(r, 3)});
  return Datum(0);
}
