#include "pg/compat.hpp"
#include "pg/relation.hpp"

#include "core/error.hpp"
#include "pg/catalog.hpp"
#include "pg/guard.hpp"
#include "pg/quote.hpp"
#include "pg/spi.hpp"

extern "C" {
#include "catalog/catalog.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/tableam.h"
#include "executor/tuptable.h"
#include "utils/snapmgr.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_class.h"
#include "utils/acl.h"
#include "utils/lsyscache.h"
}

namespace pgdb::pg {

std::string TableName::quoted() const {
  return quote_identifier(schema) + "." + quote_identifier(name);
}

std::optional<TableName> find_table_name(Oid relid) {
  char* name = call([relid] { return get_rel_name(relid); });
  Oid namespace_oid = relation_schema(relid);
  std::optional<std::string> schema =
      OidIsValid(namespace_oid) ? schema_name(namespace_oid) : std::nullopt;
  if (name == nullptr || !schema) return std::nullopt;
  return TableName{std::move(*schema), name};
}

TableName table_name(Oid relid) {
  std::optional<TableName> found = find_table_name(relid);
  if (!found)
    throw Error(sqlstate::undefined_table,
                "relation with OID " + std::to_string(relid) + " does not exist");
  return std::move(*found);
}

void require_table(Oid relid, std::string_view argument) {
  char kind = relkind(relid);
  if (is_table_kind(kind)) return;
  if (kind == '\0')
    throw Error(sqlstate::undefined_table,
                "relation with OID " + std::to_string(relid) + " does not exist");
  throw Error("42809", std::string(argument) + " " + table_name(relid).quoted() + " is not a table",
              {}, "Pass an ordinary or partitioned table.");
}

bool owns_table(Oid relid) {
  Oid user = GetUserId();
  return call([relid, user] { return compat::owns_relation(relid, user); });
}

void require_table_owner(Oid relid, const char* what) {
  if (!owns_table(relid))
    throw Error(
        sqlstate::insufficient_privilege, "must be owner of table " + table_name(relid).quoted(),
        {},
        std::string("Only the table's owner (or a member of the owning role) can ") + what + ".");
}

Oid table_owner(Oid relid) {
  OpenRelation relation(relid, NoLock);
  return relation->rd_rel->relowner;
}

OpenRelation::OpenRelation(Oid relid, LOCKMODE mode)
    : relation_(call([relid, mode] { return relation_open(relid, mode); })),
      pending_at_start_(pending_pg_errors()) {}

OpenRelation::~OpenRelation() {
  if (pending_pg_errors() == pending_at_start_) relation_close(relation_, NoLock);
}

std::vector<Column> live_columns(Oid relid, LOCKMODE mode) {
  OpenRelation relation(relid, mode);
  TupleDesc desc = relation.descriptor();
  std::vector<Column> columns;
  for (int i = 0; i < desc->natts; ++i) {
    Form_pg_attribute att = TupleDescAttr(desc, i);
    if (att->attisdropped) continue;
    columns.push_back({NameStr(att->attname), att->atttypid, att->atttypmod,
                       type_name(att->atttypid, att->atttypmod), att->attcollation,
                       att->attgenerated != '\0', att->attidentity == ATTRIBUTE_IDENTITY_ALWAYS});
  }
  return columns;
}

// The query names every operator: it may run under any search_path.
bool is_extension_schema(Spi& spi, Oid nsp) {
  spi.execute(
      "SELECT EXISTS (SELECT FROM pg_catalog.pg_extension e WHERE e.extname OPERATOR(pg_catalog.=) "
      "'pgdb_tools' "
      "   AND (e.extnamespace OPERATOR(pg_catalog.=) $1 "
      "        OR EXISTS (SELECT FROM pg_catalog.pg_depend d "
      "                    WHERE d.classid OPERATOR(pg_catalog.=) "
      "'pg_catalog.pg_namespace'::pg_catalog.regclass "
      "                      AND d.objid OPERATOR(pg_catalog.=) $1 "
      "                      AND d.refclassid OPERATOR(pg_catalog.=) "
      "'pg_catalog.pg_extension'::pg_catalog.regclass "
      "                      AND d.refobjid OPERATOR(pg_catalog.=) e.oid AND d.deptype "
      "OPERATOR(pg_catalog.=) 'e')))",
      {Param::oid(nsp)}, true);
  return spi.get_bool(0, 0).value_or(false);
}

bool is_system_schema(Oid nsp) {
  return call([nsp] {
    if (IsCatalogNamespace(nsp) || IsToastNamespace(nsp)) return true;
    char* name = get_namespace_name(nsp);
    return name != nullptr && strcmp(name, "information_schema") == 0;
  });
}

void require_user_table(Spi& spi, Oid relid, const std::string& action) {
  Oid nsp = relation_schema(relid);
  if (is_system_schema(nsp))
    throw Error(sqlstate::invalid_parameter_value,
                "cannot " + action + " " + table_name(relid).quoted() + ": it is a system catalog",
                {}, "PostgreSQL's catalogs are not pgdb_tools material.");
  bool member = false;
  if (!is_extension_schema(spi, nsp)) {
    spi.execute(
        "SELECT EXISTS (SELECT FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_extension e "
        "    ON e.oid OPERATOR(pg_catalog.=) d.refobjid AND e.extname OPERATOR(pg_catalog.=) "
        "'pgdb_tools' "
        " WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass "
        "   AND d.objid OPERATOR(pg_catalog.=) $1 "
        "   AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass "
        "   AND d.deptype OPERATOR(pg_catalog.=) 'e')",
        {Param::oid(relid)}, true);
    member = spi.get_bool(0, 0).value_or(false);
    if (!member) return;
  }
  throw Error(sqlstate::invalid_parameter_value,
              "cannot " + action + " " + table_name(relid).quoted() +
                  ": it belongs to the pgdb_tools extension",
              {},
              "The extension's own schemas and tables hold its catalog and stored copies: they are "
              "not material for its own functions.");
}

bool relation_has_rows(Oid relid) {
  return call([relid] {
    Relation rel = table_open(relid, AccessShareLock);
    bool pushed = !ActiveSnapshotSet();
    if (pushed) PushActiveSnapshot(GetTransactionSnapshot());
    TableScanDesc scan = table_beginscan(rel, GetActiveSnapshot(), 0, nullptr);
    TupleTableSlot* slot = table_slot_create(rel, nullptr);
    bool found = table_scan_getnextslot(scan, ForwardScanDirection, slot);
    ExecDropSingleTupleTableSlot(slot);
    table_endscan(scan);
    if (pushed) PopActiveSnapshot();
    table_close(rel, NoLock);
    return found;
  });
}

}  // namespace pgdb::pg
