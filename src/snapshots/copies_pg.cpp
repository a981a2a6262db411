// The stored copies as objects of schema pgdb_tools_snapshots: which relations there are the
// extension's, how a new snapshot's id and copies are made, and the name rules snapshot_create and
// snapshot_adopt share. The database owner may create relations in that schema (so that its
// pg_restore can bring its snapshots back, see snapshot_adopt), so a name there proves nothing: a
// relation counts as a copy (or a copy's view) only when the extension made it.
#include <string>
#include <vector>

#include "core/error.hpp"
#include "pg/catalog.hpp"
#include "pg/guard.hpp"
#include "pg/quote.hpp"
#include "pg/relation.hpp"
#include "pg/spi.hpp"
#include "snapshots/store_pg.hpp"

extern "C" {
#include "access/htup_details.h"
#include "access/relation.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_namespace.h"
#include "miscadmin.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"
#include "utils/syscache.h"
}

namespace pgdb::snapshots {

namespace {

// The relation of that name in the store, when it is of the given kind and the extension made it:
// owned by the store schema's owner (who ran CREATE EXTENSION) or by a superuser (a superuser's
// pg_restore gives the copies the owner recorded in the dump). Only superusers can make objects
// owned by those roles.
Oid extension_relation(const std::string& name, char kind) {
  Oid nsp = pg::schema_oid(storage_schema);
  if (!OidIsValid(nsp)) return InvalidOid;
  Oid relid = pg::relation_in_schema(nsp, name.c_str());
  if (!OidIsValid(relid) || pg::relkind(relid) != kind) return InvalidOid;
  Oid owner = pg::relation_owner(relid);
  if (!OidIsValid(owner)) return InvalidOid;
  if (owner == pg::schema_owner(nsp)) return relid;
  return pg::call([owner] { return superuser_arg(owner); }) ? relid : InvalidOid;
}

// A copy may not hold values of a type built on the row type of a relation in the store (a copy,
// its view, anything made there): that type would be pinned by this copy, so dropping the other
// snapshot (which cuts the column) would be refused by the type guard, and any role could keep
// another role's snapshot from being dropped.
void refuse_store_row_types(pg::Spi& spi, Oid copy, const std::string& storage_name) {
  spi.execute(
      "WITH RECURSIVE t(oid) AS ("
      "  SELECT a.atttypid FROM pg_catalog.pg_attribute a "
      "   WHERE a.attrelid OPERATOR(pg_catalog.=) $1 AND a.attnum OPERATOR(pg_catalog.>) 0 "
      "     AND NOT a.attisdropped "
      "  UNION "
      "  SELECT s.x FROM t JOIN pg_catalog.pg_type y ON y.oid OPERATOR(pg_catalog.=) t.oid, "
      "  LATERAL (SELECT y.typelem WHERE y.typelem OPERATOR(pg_catalog.<>) 0 "
      "           UNION ALL SELECT y.typbasetype WHERE y.typbasetype OPERATOR(pg_catalog.<>) 0 "
      "           UNION ALL SELECT a.atttypid FROM pg_catalog.pg_attribute a "
      "            WHERE a.attrelid OPERATOR(pg_catalog.=) y.typrelid "
      "              AND y.typrelid OPERATOR(pg_catalog.<>) 0 "
      "              AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped "
      "           UNION ALL SELECT r.rngsubtype FROM pg_catalog.pg_range r "
      "            WHERE r.rngtypid OPERATOR(pg_catalog.=) y.oid "
      "           UNION ALL SELECT r.rngtypid FROM pg_catalog.pg_range r "
      "            WHERE r.rngmultitypid OPERATOR(pg_catalog.=) y.oid) s(x)) "
      "SELECT pg_catalog.format_type(y.oid, NULL) FROM t "
      "  JOIN pg_catalog.pg_type y ON y.oid OPERATOR(pg_catalog.=) t.oid "
      "  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) y.typrelid "
      " WHERE c.relnamespace OPERATOR(pg_catalog.=) "
      "       'pgdb_tools_snapshots'::pg_catalog.regnamespace "
      "   AND c.oid OPERATOR(pg_catalog.<>) $1 LIMIT 1",
      {pg::Param::oid(copy)});
  if (spi.row_count() > 0)
    throw Error(sqlstate::feature_not_supported,
                "cannot store copy " + pg::quote_identifier(storage_name) +
                    ": a column's type is built on " + spi.get_text(0, 0).value() +
                    ", the row type of a relation in " + storage_schema,
                "The copies' row types are the extension's: a copy holding values of one would "
                "keep that snapshot from being dropped.");
}

}  // namespace

Oid copy_relid(const StoredTable& item) {
  return extension_relation(item.storage_name, RELKIND_RELATION);
}

Oid read_view_relid(const StoredTable& item) {
  return extension_relation(item.storage_name + "_read", RELKIND_VIEW);
}

std::vector<CopyColumn> copy_column_facts(Oid relid) {
  std::vector<CopyColumn> columns;
  pg::OpenRelation rel(relid, AccessShareLock);
  TupleDesc desc = RelationGetDescr(rel.get());
  for (int i = 0; i < desc->natts; ++i) {
    Form_pg_attribute att = TupleDescAttr(desc, i);
    if (att->attisdropped) continue;
    CopyColumn column{NameStr(att->attname), pg::call([att] {
                        return format_type_with_typemod(att->atttypid, att->atttypmod);
                      }),
                      std::nullopt};
    Oid type_collation = pg::call([att] { return get_typcollation(att->atttypid); });
    if (OidIsValid(att->attcollation) && att->attcollation != type_collation)
      column.collation = pg::call([att] { return generate_collation_name(att->attcollation); });
    columns.push_back(std::move(column));
  }
  return columns;
}

std::string copy_columns(Oid relid) {
  std::string sql;
  for (const CopyColumn& column : copy_column_facts(relid))
    sql += (sql.empty() ? "" : ", ") + pg::quote_identifier(column.name) + " " + column.type +
           (column.collation ? " COLLATE " + *column.collation : "");
  if (sql.empty())
    throw Error(sqlstate::feature_not_supported,
                "cannot snapshot " + pg::table_name(relid).quoted() + ": it has no columns");
  return sql;
}

std::int64_t allocate_snapshot_id(pg::Spi& spi) {
  // Names s<id>_... that something already holds (a copy restored by the database owner and not
  // yet adopted, or anything it made there) are passed over, not taken over. Types count too: a
  // table's row type takes its name, so a domain or enum of that name would make CREATE TABLE of
  // the copy (or CREATE VIEW of its view) fail, and every snapshot with it.
  for (;;) {
    spi.execute("SELECT pg_catalog.nextval('pgdb_tools.snapshot_ids')");
    const std::int64_t id = spi.get_int64(0, 0).value();
    spi.execute(
        "SELECT 1 FROM pg_catalog.pg_class c "
        " WHERE c.relnamespace OPERATOR(pg_catalog.=) "
        "'pgdb_tools_snapshots'::pg_catalog.regnamespace "
        "   AND pg_catalog.left(c.relname, pg_catalog.length($1)) OPERATOR(pg_catalog.=) $1 "
        "UNION ALL SELECT 1 FROM pg_catalog.pg_type t "
        " WHERE t.typnamespace OPERATOR(pg_catalog.=) "
        "'pgdb_tools_snapshots'::pg_catalog.regnamespace "
        "   AND pg_catalog.left(t.typname, pg_catalog.length($1)) OPERATOR(pg_catalog.=) $1 "
        "LIMIT 1",
        {pg::Param::text("s" + std::to_string(id) + "_")}, true);
    if (spi.row_count() == 0) return id;
  }
}

Oid create_copy(pg::Spi& spi, std::int64_t id, int ordinal, const std::string& columns,
                const std::vector<std::string>& readers) {
  const std::string storage_name = "s" + std::to_string(id) + "_" + std::to_string(ordinal);
  const std::string copy = std::string(storage_schema) + "." + pg::quote_identifier(storage_name);
  const std::string view =
      std::string(storage_schema) + "." + pg::quote_identifier(storage_name + "_read");
  spi.execute("CREATE TABLE " + copy + " (" + columns + ")");
  spi.execute("SELECT " + pg::quote_literal(copy) +
              "::pg_catalog.regclass::pg_catalog.oid::pg_catalog.int8");
  refuse_store_row_types(spi, static_cast<Oid>(spi.get_int64(0, 0).value()), storage_name);
  // Readers read the copy through this view: it reads the copy with the view owner's rights, and
  // only for a caller _snapshot_item_readable() admits (a filter without columns, checked once per
  // query). Reading through it needs no grant on the copy.
  spi.execute("CREATE VIEW " + view + " WITH (security_barrier) AS SELECT * FROM " + copy +
              " WHERE pgdb_tools._snapshot_item_readable(" + std::to_string(id) + ", " +
              std::to_string(ordinal) + ")");
  spi.execute("GRANT SELECT ON " + view + " TO PUBLIC");
  // The copy itself is readable by the given roles (the snapshot's creator and the table's owner,
  // who could read these rows when it was taken: so that they can pg_dump the database, which
  // locks and reads every table), and by nobody else (docs/snapshots.md, "pg_dump and
  // pg_restore").
  std::string grantees;
  for (const std::string& role : readers)
    grantees += (grantees.empty() ? "" : ", ") + pg::quote_identifier(role);
  if (!grantees.empty()) spi.execute("GRANT SELECT ON " + copy + " TO " + grantees);
  StoredTable made;
  made.storage_name = storage_name;
  return copy_relid(made);
}

std::vector<std::int64_t> own_snapshots_named(pg::Spi& spi, const std::string& name, Oid creator,
                                              bool lock) {
  spi.execute(std::string("SELECT c.snapshot_id FROM pgdb_tools.snapshot_catalog c "
                          " WHERE c.name OPERATOR(pg_catalog.=) $1 "
                          "   AND pgdb_tools._snapshot_creator_role(c.created_by_oid, "
                          "         c.created_by, c.created_on) OPERATOR(pg_catalog.=) $2 "
                          " ORDER BY c.snapshot_id") +
                  (lock ? " FOR UPDATE" : ""),
              {pg::Param::text(name), pg::Param::oid(creator)});
  std::vector<std::int64_t> ids;
  for (std::uint64_t r = 0; r < spi.row_count(); ++r) ids.push_back(spi.get_int64(r, 0).value());
  return ids;
}

bool scheduled_by_others(pg::Spi& spi, const std::string& name, Oid role) {
  spi.execute(
      "SELECT 1 FROM pgdb_tools.snapshot_schedules s "
      " WHERE pgdb_tools._snapshot_creator_role(s.owner_oid, s.owner_name, s.owner_cluster) "
      "       IS DISTINCT FROM $2 "
      "   AND NOT EXISTS (SELECT FROM pgdb_tools.snapshot_schedules o "
      "                    WHERE pgdb_tools._snapshot_creator_role(o.owner_oid, o.owner_name, "
      "                            o.owner_cluster) OPERATOR(pg_catalog.=) $2 "
      "                      AND o.name_prefix OPERATOR(pg_catalog.=) s.name_prefix) "
      "   AND (pg_catalog.left($1, pg_catalog.length(s.name_prefix) OPERATOR(pg_catalog.+) 1) "
      "        OPERATOR(pg_catalog.=) (s.name_prefix OPERATOR(pg_catalog.||) '_')) "
      "   AND (pg_catalog.substr($1, pg_catalog.length(s.name_prefix) OPERATOR(pg_catalog.+) 2) "
      "        OPERATOR(pg_catalog.~) '^[0-9]{8}_[0-9]{6}$')",
      {pg::Param::text(name), pg::Param::oid(role)});
  return spi.row_count() > 0;
}

}  // namespace pgdb::snapshots
