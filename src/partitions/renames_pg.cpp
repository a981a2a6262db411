// The event trigger function that keeps a partition set with its table when the table is renamed
// (ALTER TABLE, or ALTER INDEX ... RENAME TO naming it) or moved to another schema, or its schema
// is renamed: the registry names sets by schema and
// name, and a set left under the old name would be applied to the next table given that name.
// It runs at ddl_command_start and rewrites the registry in the statement's own transaction, so
// a rename that then fails (another table has the name, the caller does not own the table) takes
// the registry change back with it. Managed triggers' records follow in the same event
// (triggers/follow_pg.cpp), before the partition sets'.
#include <optional>
#include <string>

#include "pg/catalog.hpp"
#include "pg/event_trigger.hpp"
#include "pg/guard.hpp"
#include "pg/relation.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"
#include "triggers/follow_events.hpp"

extern "C" {
#include "nodes/parsenodes.h"
}

using namespace pgdb;

namespace {

// The partitioned table a statement names, as it is named now; nullopt for anything else.
std::optional<pg::TableName> partitioned_table(const RangeVar* relation) {
  if (relation == nullptr) return std::nullopt;
  Oid relid = pg::find_relation(relation);
  if (!OidIsValid(relid) || pg::relkind(relid) != RELKIND_PARTITIONED_TABLE) return std::nullopt;
  // No lock is held yet: a table dropped meanwhile has no name, and the statement will fail.
  return pg::find_table_name(relid);
}

// ALTER TABLE, and the other statements PostgreSQL lets rename or move a table (ALTER INDEX ...
// RENAME TO names any relation): the resolved relation decides, never the keyword.
bool names_relation(ObjectType type) {
  return type == OBJECT_TABLE || type == OBJECT_INDEX || type == OBJECT_VIEW ||
         type == OBJECT_MATVIEW || type == OBJECT_FOREIGN_TABLE;
}

// Runs one registry update as the extension's owner.
void update_registry(const std::string& sql, std::initializer_list<pg::Param> params) {
  pg::SearchPath trusted(pg::trusted_search_path);
  pg::Spi spi;
  pg::AsExtensionOwner as_owner(spi);
  spi.execute(sql, params);
}

// The set of `table`, if there is one, is now that of `to`.
void move_set(const pg::TableName& table, const pg::TableName& to) {
  update_registry(
      "UPDATE pgdb_tools.partition_sets SET parent_schema = $3, parent_name = $4 "
      " WHERE parent_schema OPERATOR(pg_catalog.=) $1 "
      "   AND parent_name OPERATOR(pg_catalog.=) $2",
      {pg::Param::text(table.schema), pg::Param::text(table.name), pg::Param::text(to.schema),
       pg::Param::text(to.name)});
}

}  // namespace

PGDB_FUNCTION(pgdb_tools_follow_renamed_sets) {
  Node* tree = pg::event_trigger_data(fcinfo, "_follow_renamed_sets")->parsetree;
  if (tree == nullptr) PG_RETURN_VOID();
  triggers::follow_renames_start(tree);
  if (IsA(tree, RenameStmt)) {
    RenameStmt* rename = reinterpret_cast<RenameStmt*>(tree);
    if (names_relation(rename->renameType)) {
      if (std::optional<pg::TableName> table = partitioned_table(rename->relation))
        move_set(*table, {table->schema, rename->newname});
    } else if (rename->renameType == OBJECT_SCHEMA) {
      update_registry(
          "UPDATE pgdb_tools.partition_sets SET parent_schema = $2 "
          " WHERE parent_schema OPERATOR(pg_catalog.=) $1",
          {pg::Param::text(rename->subname), pg::Param::text(rename->newname)});
    }
  } else if (IsA(tree, AlterObjectSchemaStmt)) {
    AlterObjectSchemaStmt* move = reinterpret_cast<AlterObjectSchemaStmt*>(tree);
    if (names_relation(move->objectType))
      if (std::optional<pg::TableName> table = partitioned_table(move->relation))
        move_set(*table, {move->newschema, table->name});
  }
  PG_RETURN_VOID();
}
