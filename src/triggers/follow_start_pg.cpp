// ddl_command_start of the statements that rename tables, columns and schemas: the managed
// triggers they touch are noted for ddl_command_end, and the records of a renamed or moved table
// (or of the tables of a renamed schema) move to the new name (follow_journal.hpp).
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/xact_journal.hpp"
#include "pg/catalog.hpp"
#include "pg/datum.hpp"
#include "pg/guard.hpp"
#include "pg/relation.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"
#include "pg/xact.hpp"
#include "triggers/follow_events.hpp"
#include "triggers/follow_journal.hpp"

extern "C" {
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "nodes/parsenodes.h"
#include "utils/lsyscache.h"
}

namespace pgdb::triggers {

namespace {

XactJournal<Followed> followed;

std::uint64_t last_generation = 0;

std::string name_of(const RangeVar* relation) {
  if (relation == nullptr) return "-";
  return std::string(relation->schemaname ? relation->schemaname : "") + "." +
         (relation->relname ? relation->relname : "");
}

// What the statement renames, to what: the same for both events of one statement.
std::string signature_of(const Node* tree) {
  if (IsA(tree, RenameStmt)) {
    auto* rename = reinterpret_cast<const RenameStmt*>(tree);
    return "rename " + std::to_string(rename->renameType) + " " +
           std::to_string(rename->relationType) + " " + name_of(rename->relation) + " " +
           (rename->subname ? rename->subname : "") + " " +
           (rename->newname ? rename->newname : "");
  }
  if (IsA(tree, AlterObjectSchemaStmt)) {
    auto* move = reinterpret_cast<const AlterObjectSchemaStmt*>(tree);
    return "move " + std::to_string(move->objectType) + " " + name_of(move->relation) + " " +
           (move->newschema ? move->newschema : "");
  }
  return {};
}

void register_journal() {
  static bool registered = false;
  if (registered) return;
  pg::register_xact_listener(followed);
  registered = true;
}

// Registry reads and writes run as the extension's owner (pg::AsExtensionOwner): the caller may
// have no USAGE on its schema, and every ALTER TABLE passes through here.

// Notes the managed triggers on the tables (or on every table of schema `nsp`) for the end of
// statement, with whether each is installed as recorded.
void note_triggers(pg::Spi& spi, const Node* statement, const std::vector<Oid>& relids,
                   Oid nsp = InvalidOid) {
  register_journal();
  std::uint64_t generation = ++last_generation;
  std::string signature = signature_of(statement);
  SubxactId subxact = pg::current_subxact();
  followed.add(subxact, Followed{statement, generation, signature, InvalidOid, {}, false});
  {
    pg::AsExtensionOwner as_owner(spi);
    spi.execute(
        "SELECT c.oid::pg_catalog.int8, v.trigger_name, v.status OPERATOR(pg_catalog.=) "
        "'installed' "
        "FROM pgdb_tools.triggers v "
        "JOIN pg_catalog.pg_namespace n ON n.nspname OPERATOR(pg_catalog.=) v.schema_name "
        "JOIN pg_catalog.pg_class c ON c.relnamespace OPERATOR(pg_catalog.=) n.oid "
        "                          AND c.relname OPERATOR(pg_catalog.=) v.table_name "
        "WHERE c.oid OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.oid[]) "
        "   OR n.oid OPERATOR(pg_catalog.=) $2 "
        "ORDER BY 1, 2",
        {pg::Param{OIDARRAYOID, pg::oids_to_array(relids), false}, pg::Param::oid(nsp)});
  }
  for (std::uint64_t r = 0; r < spi.row_count(); ++r)
    followed.add(subxact, Followed{statement, generation, signature, spi.get_oid(r, 0).value(),
                                   spi.get_text(r, 1).value(), spi.get_bool(r, 2).value()});
}

// The table a statement names, when it is an ordinary or partitioned one; no lock is held yet.
Oid named_table(RangeVar* relation) {
  if (relation == nullptr) return InvalidOid;
  Oid relid = pg::find_relation(relation);
  return OidIsValid(relid) && pg::is_table_kind(pg::relkind(relid)) ? relid : InvalidOid;
}

// The records of `from` are now those of `to`. Records already under `to` belong to a table that
// is gone (the name is free, or the statement fails and this rolls back): left, the renamed table
// would adopt them.
void move_records(pg::Spi& spi, const pg::TableName& from, const pg::TableName& to) {
  if (from.schema == to.schema && from.name == to.name) return;
  pg::AsExtensionOwner as_owner(spi);
  spi.execute(
      "DELETE FROM pgdb_tools.managed_triggers "
      " WHERE table_schema OPERATOR(pg_catalog.=) $1 AND table_name OPERATOR(pg_catalog.=) $2",
      {pg::Param::text(to.schema), pg::Param::text(to.name)});
  spi.execute(
      "UPDATE pgdb_tools.managed_triggers SET table_schema = $3, table_name = $4 "
      " WHERE table_schema OPERATOR(pg_catalog.=) $1 AND table_name OPERATOR(pg_catalog.=) $2",
      {pg::Param::text(from.schema), pg::Param::text(from.name), pg::Param::text(to.schema),
       pg::Param::text(to.name)});
}

// The records of the tables of schema `from` (not those of tables gone from it) move to `to`.
void move_schema_records(pg::Spi& spi, const std::string& from, const std::string& to) {
  if (from == to) return;
  pg::AsExtensionOwner as_owner(spi);
  spi.execute(
      "DELETE FROM pgdb_tools.managed_triggers WHERE table_schema OPERATOR(pg_catalog.=) $1",
      {pg::Param::text(to)});
  spi.execute(
      "UPDATE pgdb_tools.managed_triggers m SET table_schema = $2 "
      " WHERE m.table_schema OPERATOR(pg_catalog.=) $1 AND EXISTS ("
      "   SELECT FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
      "     ON n.oid OPERATOR(pg_catalog.=) c.relnamespace "
      "   WHERE n.nspname OPERATOR(pg_catalog.=) m.table_schema "
      "     AND c.relname OPERATOR(pg_catalog.=) m.table_name)",
      {pg::Param::text(from), pg::Param::text(to)});
}

// The statements that rename or move a relation, as PostgreSQL accepts them on a table: besides
// ALTER TABLE, ALTER INDEX ... RENAME TO names any relation, and ALTER VIEW / MATERIALIZED VIEW /
// FOREIGN TABLE ... RENAME COLUMN any relation with columns. What counts is the relation the name
// resolves to, never the statement's keyword; PostgreSQL refuses the rest itself.
bool names_relation(ObjectType type) {
  return type == OBJECT_TABLE || type == OBJECT_INDEX || type == OBJECT_VIEW ||
         type == OBJECT_MATVIEW || type == OBJECT_FOREIGN_TABLE;
}

// ALTER TYPE ... RENAME ATTRIBUTE ... CASCADE renames the column of every table typed by the
// composite type (CREATE TABLE ... OF type), and of their partitions; without CASCADE PostgreSQL
// refuses while such tables exist. The typed tables, found through pg_type's dependents in
// pg_depend (indexed, as PostgreSQL's own lookup).
Oid named_composite_type(RangeVar* type) {
  if (type == nullptr) return InvalidOid;
  Oid relid = pg::find_relation(type);
  if (!OidIsValid(relid) || pg::relkind(relid) != RELKIND_COMPOSITE_TYPE) return InvalidOid;
  return pg::call([relid] { return get_rel_type_id(relid); });
}

std::vector<Oid> typed_tables(pg::Spi& spi, Oid type_oid) {
  spi.execute(
      "SELECT c.oid::pg_catalog.int8 FROM pg_catalog.pg_depend d "
      "JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) d.objid "
      "WHERE d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_type'::pg_catalog.regclass "
      "  AND d.refobjid OPERATOR(pg_catalog.=) $1 "
      "  AND d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass "
      "  AND c.reloftype OPERATOR(pg_catalog.=) $1 "
      "  AND c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p}'::pg_catalog.\"char\"[]) "
      "ORDER BY 1",
      {pg::Param::oid(type_oid)});
  std::vector<Oid> tables = spi.oid_column(0);
  std::vector<Oid> all;
  for (Oid table : tables)
    for (Oid relid : pg::with_inheritors(table, NoLock))
      if (std::find(all.begin(), all.end(), relid) == all.end()) all.push_back(relid);
  return all;
}

}  // namespace

std::vector<Followed> noted_for(const Node* tree) {
  std::string signature = signature_of(tree);
  std::uint64_t generation = 0;
  for (const auto& entry : followed.entries())
    if (entry.value.statement == tree && entry.value.signature == signature)
      generation = std::max(generation, entry.value.generation);
  std::vector<Followed> noted;
  if (generation == 0) return noted;
  for (const auto& entry : followed.entries())
    if (entry.value.statement == tree && entry.value.generation == generation &&
        OidIsValid(entry.value.relid))
      noted.push_back(entry.value);
  return noted;
}

void follow_renames_start(Node* tree) {
  if (tree == nullptr) return;
  // The statement's names resolve with the caller's search_path, as the statement's own do;
  // everything after runs under the trusted one. Every ALTER INDEX, VIEW and TYPE of the
  // database passes here: what names no table (or schema) returns before any query.
  RangeVar* relation = nullptr;
  Oid composite = InvalidOid;
  if (IsA(tree, RenameStmt)) {
    auto* rename = reinterpret_cast<RenameStmt*>(tree);
    if (names_relation(rename->renameType) ||
        (rename->renameType == OBJECT_COLUMN && names_relation(rename->relationType)))
      relation = rename->relation;
    if (rename->renameType == OBJECT_ATTRIBUTE && rename->behavior == DROP_CASCADE)
      composite = named_composite_type(rename->relation);
  } else if (IsA(tree, AlterObjectSchemaStmt)) {
    auto* move = reinterpret_cast<AlterObjectSchemaStmt*>(tree);
    if (names_relation(move->objectType)) relation = move->relation;
  }
  Oid relid = named_table(relation);
  bool schema =
      IsA(tree, RenameStmt) && reinterpret_cast<RenameStmt*>(tree)->renameType == OBJECT_SCHEMA;
  if (!OidIsValid(relid) && !schema && !OidIsValid(composite)) return;
  pg::SearchPath trusted(pg::trusted_search_path);
  pg::Spi spi;
  if (OidIsValid(composite)) {
    std::vector<Oid> tables = typed_tables(spi, composite);
    if (!tables.empty()) note_triggers(spi, tree, tables);
    return;
  }
  if (IsA(tree, RenameStmt)) {
    auto* rename = reinterpret_cast<RenameStmt*>(tree);
    if (names_relation(rename->renameType)) {
      note_triggers(spi, tree, {relid});
      pg::TableName table = pg::table_name(relid);
      move_records(spi, table, {table.schema, rename->newname});
    } else if (rename->renameType == OBJECT_COLUMN) {
      note_triggers(spi, tree, pg::with_inheritors(relid, NoLock));
    } else if (rename->renameType == OBJECT_SCHEMA) {
      Oid nsp = pg::schema_oid(rename->subname);
      if (!OidIsValid(nsp)) return;
      note_triggers(spi, tree, {}, nsp);
      move_schema_records(spi, rename->subname, rename->newname);
    }
  } else if (IsA(tree, AlterObjectSchemaStmt)) {
    auto* move = reinterpret_cast<AlterObjectSchemaStmt*>(tree);
    note_triggers(spi, tree, {relid});
    pg::TableName table = pg::table_name(relid);
    move_records(spi, table, {move->newschema, table.name});
  }
}

}  // namespace pgdb::triggers
