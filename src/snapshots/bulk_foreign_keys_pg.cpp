// The foreign keys of a table on the bulk path (bulk_foreign_keys_pg.hpp).
#include "snapshots/bulk_foreign_keys_pg.hpp"

#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "pg/catalog.hpp"
#include "pg/compat.hpp"
#include "pg/guard.hpp"
#include "pg/quote.hpp"
#include "pg/relation.hpp"
#include "pg/spi.hpp"

extern "C" {
#include "access/xact.h"
#include "storage/lockdefs.h"
#include "utils/rls.h"
}

namespace pgdb::snapshots {

namespace {

// The table's ($1) foreign keys that an INSERT checks: enforced, with their check trigger
// (RI_FKey_check_ins) firing in this session (enabled, and for its session_replication_role: 'O'
// triggers do not fire for a replica, 'R' ones only for it). Each query below runs under the
// caller's search_path, so every operator is schema-qualified.
std::string checked_keys() {
  return std::string(
             "c.conrelid OPERATOR(pg_catalog.=) $1 AND c.contype OPERATOR(pg_catalog.=) 'f' AND ") +
         pg::compat::constraint_enforced +
         " AND EXISTS (SELECT FROM pg_catalog.pg_trigger t"
         " WHERE t.tgconstraint OPERATOR(pg_catalog.=) c.oid"
         " AND t.tgrelid OPERATOR(pg_catalog.=) c.conrelid"
         " AND t.tgfoid OPERATOR(pg_catalog.=)"
         " 'pg_catalog.\"RI_FKey_check_ins\"'::pg_catalog.regproc::pg_catalog.oid"
         " AND (t.tgenabled OPERATOR(pg_catalog.=) 'A' OR t.tgenabled OPERATOR(pg_catalog.=)"
         " (CASE WHEN pg_catalog.current_setting('session_replication_role')"
         " OPERATOR(pg_catalog.=) 'replica' THEN 'R' ELSE 'O' END)::pg_catalog.\"char\"))";
}

// One row per key column: the constraint, its referenced table, MATCH FULL, the columns' names
// (plain and quoted), the equality operator and the casts and collation its operands need,
// rendered as RI_Initial_Check renders them (foreign_key_check.hpp).
std::string key_columns_query() {
  const std::string qualified_type =
      "(SELECT pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.' "
      "OPERATOR(pg_catalog.||) pg_catalog.quote_ident(y.typname) FROM pg_catalog.pg_type y "
      "JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) y.typnamespace "
      "WHERE y.oid OPERATOR(pg_catalog.=) ";
  return "WITH keys AS (SELECT c.oid, c.conname, c.confrelid, c.confmatchtype, k.n,"
         " fa.attname AS fk_name, pa.attname AS pk_name, o.oprnamespace, o.oprname, o.oprleft,"
         " o.oprright, pa.atttypid AS pk_type, fa.atttypid AS fk_type,"
         " pa.attcollation AS pk_coll, fa.attcollation AS fk_coll"
         " FROM pg_catalog.pg_constraint c CROSS JOIN LATERAL ROWS FROM"
         " (pg_catalog.unnest(c.conkey), pg_catalog.unnest(c.confkey),"
         " pg_catalog.unnest(c.conpfeqop)) WITH ORDINALITY AS k(fk, pk, op, n)"
         " JOIN pg_catalog.pg_attribute fa ON fa.attrelid OPERATOR(pg_catalog.=) c.conrelid"
         " AND fa.attnum OPERATOR(pg_catalog.=) k.fk"
         " JOIN pg_catalog.pg_attribute pa ON pa.attrelid OPERATOR(pg_catalog.=) c.confrelid"
         " AND pa.attnum OPERATOR(pg_catalog.=) k.pk"
         " JOIN pg_catalog.pg_operator o ON o.oid OPERATOR(pg_catalog.=) k.op WHERE " +
         checked_keys() +
         ") SELECT confrelid::pg_catalog.int8, conname::pg_catalog.text,"
         " confmatchtype OPERATOR(pg_catalog.=) 'f', fk_name::pg_catalog.text,"
         " pg_catalog.quote_ident(fk_name), pg_catalog.quote_ident(pk_name),"
         " (SELECT pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.'"
         " OPERATOR(pg_catalog.||) oprname::pg_catalog.text FROM pg_catalog.pg_namespace n"
         " WHERE n.oid OPERATOR(pg_catalog.=) oprnamespace),"
         " CASE WHEN oprleft OPERATOR(pg_catalog.<>) pk_type THEN " +
         qualified_type + "oprleft) END, CASE WHEN oprright OPERATOR(pg_catalog.<>) fk_type THEN " +
         qualified_type +
         "oprright) END, CASE WHEN pk_coll OPERATOR(pg_catalog.<>) fk_coll THEN"
         " (SELECT pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.'"
         " OPERATOR(pg_catalog.||) pg_catalog.quote_ident(l.collname)"
         " FROM pg_catalog.pg_collation l JOIN pg_catalog.pg_namespace n"
         " ON n.oid OPERATOR(pg_catalog.=) l.collnamespace"
         " WHERE l.oid OPERATOR(pg_catalog.=) pk_coll) END"
         " FROM keys ORDER BY conname, oid, n";
}

std::vector<ForeignKey> checked_foreign_keys(pg::Spi& spi, Oid relid, const std::string& target) {
  spi.execute(key_columns_query(), {pg::Param::oid(relid)}, true);
  std::vector<ForeignKey> keys;
  std::vector<Oid> referenced;
  for (std::uint64_t r = 0; r < spi.row_count(); ++r) {
    Oid parent = static_cast<Oid>(spi.get_int64(r, 0).value());
    std::string name = spi.get_text(r, 1).value();
    if (keys.empty() || keys.back().name != name || referenced.back() != parent) {
      keys.push_back({name, target, {}, false, spi.get_bool(r, 2).value(), {}});
      referenced.push_back(parent);
    }
    keys.back().columns.push_back({spi.get_text(r, 3).value(), spi.get_text(r, 4).value(),
                                   spi.get_text(r, 5).value(), spi.get_text(r, 6).value(),
                                   spi.get_text(r, 7).value_or(""), spi.get_text(r, 8).value_or(""),
                                   spi.get_text(r, 9).value_or("")});
  }
  for (std::size_t k = 0; k < keys.size(); ++k) {
    // Kept from being dropped until the end of the transaction. No stronger lock is needed: the
    // restored table is held in ACCESS EXCLUSIVE mode from before it is emptied until the end of
    // the transaction, so a transaction that deletes (or re-keys) a referenced row either ran its
    // own foreign-key check first, holding a lock on the restored table that the restore waited
    // for (and the anti-join, on a snapshot taken after that wait, sees its outcome), or runs the
    // check after the restore commits and sees the restored rows (23503 for it). A SHARE lock
    // here, as ADD FOREIGN KEY takes, turned the second case into a deadlock (seen: 40P01).
    if (!pg::lock_relation_if_exists(referenced[k], AccessShareLock))
      throw Error(sqlstate::undefined_table,
                  "a table referenced by " + target + " was dropped during the restore");
    keys[k].referenced_table = pg::table_name(referenced[k]).quoted();
    keys[k].referenced_partitioned = pg::relkind(referenced[k]) == RELKIND_PARTITIONED_TABLE;
  }
  return keys;
}

}  // namespace

std::vector<ForeignKeyFacts> foreign_key_facts(pg::Spi& spi, Oid relid, Oid owner) {
  spi.execute(
      "SELECT c.condeferrable, c.confrelid::pg_catalog.int8, pg_catalog.bool_and("
      "pg_catalog.has_column_privilege($2, c.confrelid, k.attnum, 'SELECT')) "
      "FROM pg_catalog.pg_constraint c "
      "CROSS JOIN LATERAL pg_catalog.unnest(c.confkey) AS k(attnum) WHERE " +
          checked_keys() + " GROUP BY c.oid, c.condeferrable, c.confrelid",
      {pg::Param::oid(relid), pg::Param::oid(owner)}, true);
  std::vector<ForeignKeyFacts> facts;
  std::vector<Oid> referenced;
  for (std::uint64_t r = 0; r < spi.row_count(); ++r) {
    facts.push_back({spi.get_bool(r, 0).value(), spi.get_bool(r, 2).value_or(false)});
    referenced.push_back(static_cast<Oid>(spi.get_int64(r, 1).value()));
  }
  // As RI_Initial_Check: the anti-join reads the referenced table as the reloading owner, so it
  // must see every row there; a referenced table whose row-level security applies to the owner
  // keeps the per-row check, which reads it as its own owner, exempt from its policies.
  for (std::size_t k = 0; k < facts.size(); ++k) {
    Oid parent = referenced[k];
    if (pg::call([parent, owner] { return check_enable_rls(parent, owner, true) == RLS_ENABLED; }))
      facts[k].referenced_readable = false;
    facts[k].xact_snapshot = pg::call([] { return IsolationUsesXactSnapshot(); });
  }
  return facts;
}

void require_foreign_keys(pg::Spi& spi, Oid relid, const std::string& target) {
  for (const ForeignKey& key : checked_foreign_keys(spi, relid, target)) {
    // Not read-only: a read-only query would see the snapshot taken before the reload.
    spi.execute(violation_query(key), {}, false);
    if (spi.row_count() == 0) continue;
    std::vector<std::optional<std::string>> values;
    for (std::size_t c = 0; c < key.columns.size(); ++c)
      values.push_back(spi.get_text(0, static_cast<int>(c)));
    throw Error(sqlstate::foreign_key_violation,
                "a restored row of table " + target + " violates foreign key constraint " +
                    pg::quote_identifier(key.name),
                violation_detail(key, values),
                "The referenced rows were deleted or changed after the snapshot was taken, or the "
                "constraint was added since: restore the referenced table with it, or restore "
                "into another schema with target_schema.");
  }
}

}  // namespace pgdb::snapshots
