// The event trigger function that keeps a snapshot's stored copies whole. At ddl_command_start it
// names, to the owner of what a DROP TYPE / DROP DOMAIN / DROP SCHEMA would drop, the snapshots
// that hold values of it and how to drop them first. At sql_drop it refuses any statement, however
// it got there (DROP ... CASCADE, DROP OWNED, DROP EXTENSION of a type's extension, ALTER TYPE
// ... DROP ATTRIBUTE CASCADE), that took a column out of a copy or an attribute out of a
// composite type a copy stores: the whole statement is rolled back.
#include <string>
#include <vector>

#include "core/error.hpp"
#include "pg/compat.hpp"
#include "pg/guard.hpp"
#include "pg/quote.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"
#include "snapshots/store_pg.hpp"

extern "C" {
#include "commands/event_trigger.h"
#include "nodes/parsenodes.h"
#include "catalog/namespace.h"
#include "nodes/value.h"
#include "parser/parse_type.h"
#include "utils/acl.h"
#include "utils/syscache.h"
}

using namespace pgdb;
using namespace pgdb::snapshots;

namespace {

// The types a DROP TYPE / DROP DOMAIN names that exist (resolved as the statement will resolve
// them, with the caller's search_path).
std::vector<Oid> dropped_types(DropStmt* drop) {
  std::vector<Oid> types;
  ListCell* cell;
  foreach (cell, drop->objects) {
    TypeName* type_name = static_cast<TypeName*>(lfirst(cell));
    Oid type = pg::call([type_name] {
      Type tuple = LookupTypeName(nullptr, type_name, nullptr, true);
      if (tuple == nullptr) return InvalidOid;
      Oid oid = typeTypeId(tuple);
      ReleaseSysCache(tuple);
      return oid;
    });
    // Another role's type: PostgreSQL refuses the drop itself, and names nothing of snapshots.
    if (OidIsValid(type) && pg::call([type] { return pg::compat::owns_type(type, GetUserId()); }))
      types.push_back(type);
  }
  return types;
}

// The types of the schemas a DROP SCHEMA names that exist: with CASCADE, they go too.
std::vector<Oid> dropped_schema_types(DropStmt* drop) {
  std::vector<Oid> schemas;
  ListCell* cell;
  foreach (cell, drop->objects) {
    const char* schema = strVal(lfirst(cell));
    Oid nsp = pg::call([schema] { return get_namespace_oid(schema, true); });
    if (OidIsValid(nsp) && pg::call([nsp] { return pg::compat::owns_namespace(nsp, GetUserId()); }))
      schemas.push_back(nsp);
  }
  if (schemas.empty()) return {};
  std::string list = "{";
  for (Oid nsp : schemas) list += (list.size() > 1 ? "," : "") + std::to_string(nsp);
  list += "}";
  pg::Spi spi;
  spi.execute(
      "SELECT oid::pg_catalog.int8 FROM pg_catalog.pg_type "
      " WHERE typnamespace OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.oid[])",
      {pg::Param::text(list)}, true);
  std::vector<Oid> types;
  for (std::uint64_t r = 0; r < spi.row_count(); ++r)
    types.push_back(static_cast<Oid>(spi.get_int64(r, 0).value()));
  return types;
}

// sql_drop: 2BP01 when the statement dropped a column of a stored copy, or an attribute of a
// composite type (or of the array of one) that a copy's column stores.
void refuse_cut_copies() {
  pg::SearchPath trusted(pg::trusted_search_path);
  pg::Spi spi;
  spi.execute(
      "SELECT o.objid::pg_catalog.int8, o.object_type, o.object_identity "
      "  FROM pg_catalog.pg_event_trigger_dropped_objects() o "
      " WHERE (o.object_type OPERATOR(pg_catalog.=) 'table column' "
      "        AND o.schema_name OPERATOR(pg_catalog.=) 'pgdb_tools_snapshots') "
      "    OR o.object_type OPERATOR(pg_catalog.=) 'composite type column'",
      {}, true);
  if (spi.row_count() == 0) return;
  std::string list = "{";
  for (std::uint64_t r = 0; r < spi.row_count(); ++r)
    list += (r ? "," : "") + std::to_string(spi.get_int64(r, 0).value());
  list += "}";
  std::string what = spi.get_text(0, 2).value();
  pg::AsExtensionOwner as_owner(spi);
  // The copies hit: a copy whose column went, or one with a column of a composite type (or its
  // array) that lost an attribute.
  spi.execute(
      "SELECT DISTINCT c.name, c.created_by::pg_catalog.text "
      "  FROM pg_catalog.pg_class r "
      "  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) r.relnamespace "
      "  JOIN pgdb_tools.snapshot_items i ON i.storage_name OPERATOR(pg_catalog.=) r.relname "
      "  JOIN pgdb_tools.snapshot_catalog c ON c.snapshot_id OPERATOR(pg_catalog.=) i.snapshot_id "
      " WHERE n.nspname OPERATOR(pg_catalog.=) 'pgdb_tools_snapshots' "
      "   AND (r.relowner OPERATOR(pg_catalog.=) n.nspowner "
      "        OR EXISTS (SELECT FROM pg_catalog.pg_roles o WHERE o.oid OPERATOR(pg_catalog.=) "
      "r.relowner AND o.rolsuper)) "
      "   AND (r.oid OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.oid[]) "
      "        OR EXISTS (SELECT FROM pg_catalog.pg_attribute a "
      "                     JOIN pg_catalog.pg_class ct "
      "                       ON ct.oid OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.oid[]) "
      "                     JOIN pg_catalog.pg_type t ON t.oid OPERATOR(pg_catalog.=) ct.reltype "
      "                    WHERE a.attrelid OPERATOR(pg_catalog.=) r.oid "
      "                      AND a.atttypid OPERATOR(pg_catalog.=) ANY (ARRAY[t.oid, "
      "t.typarray]))) "
      " ORDER BY 1, 2",
      {pg::Param::text(list)}, true);
  if (spi.row_count() == 0) return;
  std::string first = spi.get_text(0, 0).value();
  std::string detail;
  for (std::uint64_t r = 0; r < spi.row_count(); ++r)
    detail += (r ? ", " : "Snapshots whose stored copies it would cut: ") + std::string("\"") +
              spi.get_text(r, 0).value() + "\" (taken by " +
              pg::quote_identifier(spi.get_text(r, 1).value()) + ")";
  throw Error(
      "2BP01", "cannot drop " + what + " because snapshot \"" + first + "\" stores values of it",
      detail + ".",
      "Drop the snapshot first: SELECT pgdb_tools.snapshot_drop(" + pg::quote_literal(first) +
          "); its creator, the owner of its tables and "
          "superusers can.");
}

}  // namespace

PGDB_FUNCTION(pgdb_tools_snapshot_type_guard) {
  if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
    throw Error(sqlstate::object_not_in_prerequisite_state,
                "_snapshot_type_guard() runs only as an event trigger");
  EventTriggerData* data = reinterpret_cast<EventTriggerData*>(fcinfo->context);
  if (strcmp(data->event, "sql_drop") == 0) {
    refuse_cut_copies();
    PG_RETURN_VOID();
  }
  if (data->parsetree == nullptr || !IsA(data->parsetree, DropStmt)) PG_RETURN_VOID();
  DropStmt* drop = reinterpret_cast<DropStmt*>(data->parsetree);
  if (drop->removeType != OBJECT_TYPE && drop->removeType != OBJECT_DOMAIN &&
      drop->removeType != OBJECT_SCHEMA)
    PG_RETURN_VOID();
  // The names are looked up as the statement will look them up (the caller's search_path for
  // types); every query after that runs under the trusted path.
  std::vector<Oid> types;
  if (drop->removeType == OBJECT_SCHEMA) {
    pg::SearchPath trusted(pg::trusted_search_path);
    types = dropped_schema_types(drop);
  } else {
    types = dropped_types(drop);
  }
  if (types.empty()) PG_RETURN_VOID();
  std::string list = "{";
  for (Oid type : types) list += (list.size() > 1 ? "," : "") + std::to_string(type);
  list += "}";
  pg::SearchPath trusted(pg::trusted_search_path);
  pg::Spi spi;
  pg::AsExtensionOwner as_owner(spi);
  // A column of a stored copy depends on the type itself or on its array type.
  spi.execute(
      "SELECT pg_catalog.min(pg_catalog.format_type(t.oid, NULL)), c.name, "
      "c.created_by::pg_catalog.text "
      "  FROM pg_catalog.pg_type t "
      "  JOIN pg_catalog.pg_depend d "
      "    ON d.refobjid OPERATOR(pg_catalog.=) ANY (ARRAY[t.oid, t.typarray]) "
      "  JOIN pg_catalog.pg_class r ON r.oid OPERATOR(pg_catalog.=) d.objid "
      "  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) r.relnamespace "
      "  JOIN pgdb_tools.snapshot_items i ON i.storage_name OPERATOR(pg_catalog.=) r.relname "
      "  JOIN pgdb_tools.snapshot_catalog c ON c.snapshot_id OPERATOR(pg_catalog.=) i.snapshot_id "
      " WHERE t.oid OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.oid[]) "
      "   AND n.nspname OPERATOR(pg_catalog.=) 'pgdb_tools_snapshots' "
      "   AND (r.relowner OPERATOR(pg_catalog.=) n.nspowner "
      "        OR EXISTS (SELECT FROM pg_catalog.pg_roles o WHERE o.oid OPERATOR(pg_catalog.=) "
      "r.relowner AND o.rolsuper)) "
      "   AND d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass "
      "   AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_type'::pg_catalog.regclass "
      " GROUP BY c.name, c.created_by ORDER BY 2, 3",
      {pg::Param::text(list)}, true);
  if (spi.row_count() == 0) PG_RETURN_VOID();
  std::string type = spi.get_text(0, 0).value();
  std::string first = spi.get_text(0, 1).value();
  std::string detail;
  for (std::uint64_t r = 0; r < spi.row_count(); ++r)
    detail += (r ? ", " : "Snapshots holding it: ") + std::string("\"") +
              spi.get_text(r, 1).value() + "\" (taken by " +
              pg::quote_identifier(spi.get_text(r, 2).value()) + ")";
  throw Error(
      "2BP01",
      "cannot drop type " + type + " because snapshot \"" + first + "\" stores values of it",
      detail + ".",
      "Drop the snapshot first: SELECT pgdb_tools.snapshot_drop(" + pg::quote_literal(first) +
          "); its creator, the owner of its tables and superusers can.");
}
