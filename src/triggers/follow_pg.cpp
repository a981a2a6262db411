// ddl_command_end of the statements that rename tables, columns and schemas, and sql_drop of a
// column a managed trigger needs (follow_journal.hpp tells the whole story).
#include "triggers/follow.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "pg/event_trigger.hpp"
#include "pg/guard.hpp"
#include "pg/jsonb.hpp"
#include "pg/quote.hpp"
#include "pg/catalog.hpp"
#include "pg/relation.hpp"
#include "pg/roles.hpp"
#include "pg/snapshot.hpp"
#include "pg/spi.hpp"
#include "pg/subtransaction.hpp"
#include "triggers/catalog.hpp"
#include "triggers/follow_condition.hpp"
#include "triggers/follow_journal.hpp"
#include "triggers/plan.hpp"

extern "C" {
#include "nodes/parsenodes.h"
}

namespace pgdb::triggers {

namespace {

struct ColumnRename {
  std::string from;
  std::string to;
};

std::string trigger_label(const std::string& name, const pg::TableName& table) {
  return "managed trigger " + pg::quote_identifier(name) + " on table " + table.quoted();
}

std::string drop_call(const std::string& name, const pg::TableName& table) {
  return "SELECT pgdb_tools.drop_trigger(" + pg::quote_literal(table.quoted()) + ", " +
         pg::quote_literal(name) + ")";
}

Error cannot_follow(const std::string& name, const pg::TableName& table, const std::string& why) {
  return Error(sqlstate::object_not_in_prerequisite_state,
               "cannot follow the rename for " + trigger_label(name, table), why,
               "Remove the trigger first with " + drop_call(name, table) +
                   " and declare it again after the rename.");
}

// Re-creates the trigger from its new rendering, keeping whether it was enabled; a failure names
// the trigger. As the extension's owner, who may name its trigger functions whether or not the
// caller has USAGE on its schema: the caller just renamed the column, so owns the table (and its
// partitions, which PostgreSQL checked as it renamed theirs), and what runs is the recorded spec
// with the new name, under the trusted search_path (a condition's unqualified functions are not
// looked up anew in the caller's).
void recreate(pg::Spi& spi, Oid relid, const pg::TableName& table, const std::string& name,
              const std::string& ddl) {
  spi.execute(
      "SELECT tgenabled::text FROM pg_catalog.pg_trigger WHERE tgrelid = $1 AND tgname = $2",
      {pg::Param::oid(relid), pg::Param::text(name)});
  std::string enabled = spi.row_count() ? spi.get_text(0, 0).value() : "O";
  std::string toggle;
  std::string trigger = pg::quote_identifier(name);
  if (enabled == "D") toggle = "ALTER TABLE " + table.quoted() + " DISABLE TRIGGER " + trigger;
  if (enabled == "R")
    toggle = "ALTER TABLE " + table.quoted() + " ENABLE REPLICA TRIGGER " + trigger;
  if (enabled == "A")
    toggle = "ALTER TABLE " + table.quoted() + " ENABLE ALWAYS TRIGGER " + trigger;
  // A history trigger's TRUNCATE companion (in the same DDL) keeps the same state.
  std::string companion;
  if (!toggle.empty() && installed_state(spi, relid, table, name).has_companion)
    companion = toggle.substr(0, toggle.size() - trigger.size()) +
                pg::quote_identifier(companion_trigger_name(name));
  if (auto failure = pg::try_in_subtransaction([&] {
        pg::AsExtensionOwner as_owner(spi);
        spi.execute(ddl);
        if (!toggle.empty()) spi.execute(toggle);
        if (!companion.empty()) spi.execute(companion);
      }))
    throw cannot_follow(name, table, failure->message);
}

// The spec recorded for the trigger, as the extension's owner; nullopt when there is none.
std::optional<Json> recorded_spec(pg::Spi& spi, const pg::TableName& table,
                                  const std::string& trigger) {
  pg::AsExtensionOwner as_owner(spi);
  spi.execute(
      "SELECT spec FROM pgdb_tools.managed_triggers "
      " WHERE table_schema = $1 AND table_name = $2 AND trigger_name = $3",
      {pg::Param::text(table.schema), pg::Param::text(table.name), pg::Param::text(trigger)});
  bool is_null = true;
  if (spi.row_count() != 1) return std::nullopt;
  Datum spec = spi.value(0, 0, is_null);
  if (is_null) return std::nullopt;
  return pg::jsonb_to_json(spec);
}

// What the statement changed in a spec: its table's name, and the column in its arguments and
// its condition.
struct Renamed {
  bool moved = false;
  bool arguments = false;
  bool condition = false;
  bool any() const { return moved || arguments || condition; }
};

Renamed rename_in_spec(Json& spec, const pg::TableName& table,
                       const std::optional<ColumnRename>& column) {
  Renamed renamed;
  renamed.moved = !spec.find("tbl") || spec.find("tbl")->text != table.quoted();
  spec.set("tbl", Json::from_string(table.quoted()));
  if (!column) return renamed;
  renamed.arguments = rename_spec_column(spec, column->from, column->to);
  const Json* condition = spec.find("condition");
  if (condition != nullptr && condition->type == Json::Type::string) {
    if (std::optional<std::string> text =
            rename_in_condition(condition->text, column->from, column->to)) {
      spec.set("condition", Json::from_string(*text));
      renamed.condition = true;
    }
  }
  return renamed;
}

void follow(pg::Spi& spi, const Followed& entry, const std::optional<ColumnRename>& column) {
  pg::TableName table = pg::table_name(entry.relid);
  std::optional<Json> recorded = recorded_spec(spi, table, entry.trigger_name);
  if (!recorded) return;
  Json spec = *recorded;
  Renamed renamed = rename_in_spec(spec, table, column);
  if (!renamed.any()) return;
  if (!entry.installed) {
    // Not as recorded before (modified, outdated, broken): the spec follows the names, the rest
    // stays as it was for apply_triggers to settle.
    pg::AsExtensionOwner as_owner(spi);
    spi.execute(
        "UPDATE pgdb_tools.managed_triggers SET spec = $4::jsonb "
        " WHERE table_schema = $1 AND table_name = $2 AND trigger_name = $3",
        {pg::Param::text(table.schema), pg::Param::text(table.name),
         pg::Param::text(entry.trigger_name), pg::Param::text(to_json_text(spec))});
    return;
  }
  Rendered rendered;
  if (auto failure = pg::try_in_subtransaction([&] { rendered = render_recorded_spec(spi, spec); }))
    throw cannot_follow(entry.trigger_name, table, failure->message);
  if (renamed.arguments) recreate(spi, entry.relid, table, entry.trigger_name, rendered.ddl);
  std::optional<std::string> definition = trigger_definition(spi, entry.relid, entry.trigger_name);
  if (!definition) return;
  pg::AsExtensionOwner as_owner(spi);
  spi.execute(
      "UPDATE pgdb_tools.managed_triggers "
      "   SET spec = $4::jsonb, installed_ddl = $5, installed_definition = $6 "
      " WHERE table_schema = $1 AND table_name = $2 AND trigger_name = $3",
      {pg::Param::text(table.schema), pg::Param::text(table.name),
       pg::Param::text(entry.trigger_name), pg::Param::text(rendered.canonical),
       pg::Param::text(rendered.ddl), pg::Param::text(*definition)});
}

// A column dropped by the statement whose table has a managed trigger, with the trigger's spec.
struct Needed {
  pg::TableName table;
  std::string column;
  std::string trigger;
  Json spec;
};

// The dropped columns (that the table has no longer under that name) of tables whose managed
// triggers are on that very table, read as the extension's owner.
std::vector<Needed> dropped_columns(pg::Spi& spi) {
  std::vector<Needed> candidates;
  pg::AsExtensionOwner as_owner(spi);
  spi.execute(
      "SELECT d.address_names[1], d.address_names[2], d.address_names[3], m.trigger_name::text, "
      "       m.spec "
      "FROM pg_catalog.pg_event_trigger_dropped_objects() d "
      "JOIN pgdb_tools.managed_triggers m "
      "  ON m.table_schema OPERATOR(pg_catalog.=) d.address_names[1] "
      " AND m.table_name OPERATOR(pg_catalog.=) d.address_names[2] "
      "WHERE d.object_type OPERATOR(pg_catalog.=) 'table column' "
      "  AND EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) "
      "d.objid) "
      // The record's trigger is on this very table (a record left by a dropped table of the
      // same name is another table's): in pg_trigger, or dropped by this same statement.
      "  AND (EXISTS (SELECT FROM pg_catalog.pg_trigger t "
      "               WHERE t.tgrelid OPERATOR(pg_catalog.=) d.objid "
      "                 AND t.tgname OPERATOR(pg_catalog.=) m.trigger_name) "
      "       OR EXISTS (SELECT FROM pg_catalog.pg_event_trigger_dropped_objects() g "
      "                  WHERE g.object_type OPERATOR(pg_catalog.=) 'trigger' "
      "                    AND g.address_names[1] OPERATOR(pg_catalog.=) d.address_names[1] "
      "                    AND g.address_names[2] OPERATOR(pg_catalog.=) d.address_names[2] "
      "                    AND g.address_names[3] OPERATOR(pg_catalog.=) m.trigger_name)) "
      "  AND NOT EXISTS (SELECT FROM pg_catalog.pg_attribute a "
      "                  WHERE a.attrelid OPERATOR(pg_catalog.=) d.objid AND a.attnum > 0 "
      "                    AND NOT a.attisdropped "
      "                    AND a.attname OPERATOR(pg_catalog.=) d.address_names[3]) "
      "ORDER BY 1, 2, 4, 3");
  for (std::uint64_t r = 0; r < spi.row_count(); ++r) {
    bool is_null = true;
    Datum spec = spi.value(r, 4, is_null);
    candidates.push_back({{spi.get_text(r, 0).value(), spi.get_text(r, 1).value()},
                          spi.get_text(r, 2).value(),
                          spi.get_text(r, 3).value(),
                          is_null ? Json() : pg::jsonb_to_json(spec)});
  }
  return candidates;
}

}  // namespace

}  // namespace pgdb::triggers

using namespace pgdb;
using namespace pgdb::triggers;

// ddl_command_end of ALTER TABLE / INDEX / VIEW / MATERIALIZED VIEW / FOREIGN TABLE / TYPE and
// ALTER SCHEMA: the managed triggers noted at its start are rendered again under their table's
// and columns' new names.
PGDB_FUNCTION(pgdb_tools_follow_renames_end) {
  Node* tree = pg::event_trigger_data(fcinfo, "_follow_renames_end")->parsetree;
  if (tree == nullptr) PG_RETURN_VOID();
  std::vector<Followed> noted = noted_for(tree);
  if (noted.empty()) PG_RETURN_VOID();
  std::optional<ColumnRename> column;
  if (IsA(tree, RenameStmt)) {
    auto* rename = reinterpret_cast<RenameStmt*>(tree);
    if (rename->renameType == OBJECT_COLUMN || rename->renameType == OBJECT_ATTRIBUTE)
      column = ColumnRename{rename->subname, rename->newname};
  }
  pg::SearchPath trusted(pg::trusted_search_path);
  pg::StatementSnapshot snapshot;
  pg::Spi spi;
  for (const Followed& entry : noted) {
    // A table dropped meanwhile (by another event trigger) has nothing left to follow.
    if (!pg::relation_exists(entry.relid)) continue;
    follow(spi, entry, column);
  }
  PG_RETURN_VOID();
}

// sql_drop: refuses a statement that dropped a column a managed trigger's spec names (and that
// the table has no longer under that name): the trigger would fail on every write. Only records
// whose trigger is on that table count: an orphaned record (its table dropped, the name taken
// since by another table, maybe another role's) never blocks the new table's DDL.
PGDB_FUNCTION(pgdb_tools_guard_trigger_columns) {
  pg::event_trigger_data(fcinfo, "_guard_trigger_columns");
  pg::SearchPath trusted(pg::trusted_search_path);
  pg::Spi spi;
  for (const Needed& n : dropped_columns(spi)) {
    std::vector<std::string> columns = spec_columns(n.spec);
    if (std::find(columns.begin(), columns.end(), n.column) == columns.end()) continue;
    throw Error("2BP01",
                "cannot drop column " + pg::quote_identifier(n.column) + " of table " +
                    n.table.quoted() + " because " + trigger_label(n.trigger, n.table) + " uses it",
                "The trigger would fail on every write without the column.",
                "Remove the trigger first with " + drop_call(n.trigger, n.table) +
                    ", or declare it again without the column.");
  }
  PG_RETURN_VOID();
}
