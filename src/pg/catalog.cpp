#include "pg/catalog.hpp"

#include "pg/guard.hpp"
#include "pg/roles.hpp"
#include "pg/syscache.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_inherits.h"
#include "nodes/makefuncs.h"
#include "storage/lmgr.h"
#include "utils/lsyscache.h"
}

namespace pgdb::pg {

char relkind(Oid relid) {
  return call([relid] { return get_rel_relkind(relid); });
}

bool is_partition(Oid relid) {
  return call([relid] { return get_rel_relispartition(relid); });
}

Oid relation_schema(Oid relid) {
  return call([relid] { return get_rel_namespace(relid); });
}

std::optional<std::string> schema_name(Oid nsp) {
  char* name = call([nsp] { return get_namespace_name(nsp); });
  if (name == nullptr) return std::nullopt;
  return std::string(name);
}

Oid schema_oid(const char* name) {
  return call([name] { return get_namespace_oid(name, true); });
}

Oid relation_owner(Oid relid) {
  CatalogRow row(RELOID, relid);
  return row ? row.form<FormData_pg_class>()->relowner : InvalidOid;
}

Oid schema_owner(Oid nsp) {
  CatalogRow row(NAMESPACEOID, nsp);
  return row ? row.form<FormData_pg_namespace>()->nspowner : InvalidOid;
}

Oid relation_in_schema(Oid nsp, const char* name) {
  return call([nsp, name] { return get_relname_relid(name, nsp); });
}

Oid relation_in_schema(const char* schema, const char* name) {
  Oid nsp = schema_oid(schema);
  return OidIsValid(nsp) ? relation_in_schema(nsp, name) : InvalidOid;
}

Oid find_relation(const RangeVar* relation) {
  return call([relation] { return RangeVarGetRelid(relation, NoLock, true); });
}

Oid find_relation(const char* schema, const char* name) {
  return call([schema, name] {
    RangeVar* range = makeRangeVar(schema ? pstrdup(schema) : nullptr, pstrdup(name), -1);
    return RangeVarGetRelidExtended(range, NoLock, RVR_MISSING_OK, nullptr, nullptr);
  });
}

bool relation_exists(Oid relid) { return catalog_row_exists(RELOID, relid); }

void lock_relation(Oid relid, LOCKMODE mode) {
  call([relid, mode] { LockRelationOid(relid, mode); });
}

bool lock_relation_if_exists(Oid relid, LOCKMODE mode) {
  lock_relation(relid, mode);
  return relation_exists(relid);
}

std::vector<Oid> oid_list(const List* list) {
  std::vector<Oid> oids;
  const ListCell* cell;
  foreach (cell, list) oids.push_back(lfirst_oid(cell));
  return oids;
}

std::vector<Oid> with_inheritors(Oid relid, LOCKMODE mode) {
  return oid_list(call([relid, mode] { return find_all_inheritors(relid, mode, nullptr); }));
}

std::string type_name(Oid type) {
  return call([type] { return format_type_be(type); });
}

std::string type_name(Oid type, int32 typmod) {
  return call([type, typmod] { return format_type_with_typemod(type, typmod); });
}

Oid lookup_name(const std::string& path, PGFunction input, const char* name) {
  SearchPath resolving(path);
  return call([input, name] {
    return DatumGetObjectId(DirectFunctionCall1(input, CStringGetDatum(name)));
  });
}

}  // namespace pgdb::pg
