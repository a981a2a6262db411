// The bulk path of an in-place restore (bulk_reload_pg.hpp).
#include "snapshots/bulk_reload_pg.hpp"

#include <string>
#include <vector>

#include "core/error.hpp"
#include "pg/catalog.hpp"
#include "pg/compat.hpp"
#include "pg/guard.hpp"
#include "pg/quote.hpp"
#include "pg/relation.hpp"
#include "pg/spi.hpp"
#include "snapshots/bulk_foreign_keys_pg.hpp"
#include "snapshots/content_hash.hpp"
#include "snapshots/store_pg.hpp"

extern "C" {
#include "catalog/pg_trigger.h"
#include "commands/trigger.h"
#include "utils/acl.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
}

namespace pgdb::snapshots {

ReloadFacts reload_facts(pg::Spi& spi, Oid relid, Oid owner) {
  ReloadFacts facts;
  facts.partitioned = pg::relkind(relid) == RELKIND_PARTITIONED_TABLE;
  pg::OpenRelation rel(relid, NoLock);
  facts.partition = rel->rd_rel->relispartition;
  if (rel->trigdesc != nullptr)
    for (int t = 0; t < rel->trigdesc->numtriggers; ++t) {
      const ::Trigger& trigger = rel->trigdesc->triggers[t];
      // A foreign key's check is replaced by require_foreign_keys after the load.
      if (trigger.tgenabled != TRIGGER_DISABLED && TRIGGER_FOR_INSERT(trigger.tgtype) &&
          trigger.tgfoid != F_RI_FKEY_CHECK_INS)
        facts.insert_triggers = true;
    }
  facts.foreign_keys = foreign_key_facts(spi, relid, owner);
  facts.owner_may_insert = pg::call(
      [relid, owner] { return pg_class_aclcheck(relid, owner, ACL_INSERT) == ACLCHECK_OK; });
  return facts;
}

namespace {

struct CheckConstraint {
  std::string name;
  std::string expression;
};

// The table's enforced CHECK constraints (NOT VALID ones too: PostgreSQL checks them on new rows).
std::vector<CheckConstraint> check_constraints(pg::Spi& spi, Oid relid) {
  // Runs under the caller's search_path (the expressions are deparsed for it, and the scan below
  // parses them with it), so every operator of the query itself is schema-qualified.
  spi.execute(std::string("SELECT c.conname::pg_catalog.text, "
                          "pg_catalog.pg_get_expr(c.conbin, c.conrelid) "
                          "FROM pg_catalog.pg_constraint c "
                          "WHERE c.conrelid OPERATOR(pg_catalog.=) $1 "
                          "AND c.contype OPERATOR(pg_catalog.=) 'c' AND ") +
                  pg::compat::constraint_enforced + " ORDER BY c.conname",
              {pg::Param::oid(relid)}, true);
  std::vector<CheckConstraint> checks;
  for (std::uint64_t r = 0; r < spi.row_count(); ++r)
    checks.push_back({spi.get_text(r, 0).value(), spi.get_text(r, 1).value()});
  return checks;
}

// One scan for every CHECK constraint at once (a row violates one exactly when their conjunction
// is false), then, only when a row does, one query per constraint to name it.
void require_checks(pg::Spi& spi, Oid relid, const std::string& target) {
  std::vector<CheckConstraint> checks = check_constraints(spi, relid);
  if (checks.empty()) return;
  std::string all;
  for (const CheckConstraint& c : checks) all += (all.empty() ? "(" : ") AND (") + c.expression;
  all += ")";
  auto violated = [&spi, &target](const std::string& condition) {
    // Not read-only: a read-only query would see the snapshot taken before the reload.
    spi.execute("SELECT FROM ONLY " + target + " WHERE NOT (" + condition + ") LIMIT 1", {}, false);
    return spi.row_count() > 0;
  };
  if (!violated(all)) return;
  for (const CheckConstraint& c : checks)
    if (violated(c.expression))
      throw Error(sqlstate::check_violation,
                  "a restored row of table " + target + " violates check constraint " +
                      pg::quote_identifier(c.name),
                  {},
                  "The constraint was added or changed after the snapshot was taken: restore "
                  "into another schema with target_schema, fix the rows there and copy them back.");
}

}  // namespace

std::uint64_t bulk_reload(pg::Spi& spi, Oid relid, const std::string& target, Oid storage) {
  ContentHash unused;  // a reload hashes nothing
  std::uint64_t rows = copy_rows(storage, {storage}, GetActiveSnapshot(), relid, unused, true);
  // The rows are in the heap: make them visible to the scans below and to the index builds.
  pg::call([] { CommandCounterIncrement(); });
  // Until they are rebuilt the indexes miss the rows: the build uses none of them, and the CHECK
  // scan runs after it (the planner may turn NOT (a > 0) into an index scan for a <= 0).
  pg::call([relid] {
    pg::compat::reindex_table(relid,
                              REINDEX_REL_SUPPRESS_INDEX_USE | REINDEX_REL_CHECK_CONSTRAINTS);
  });
  require_checks(spi, relid, target);
  require_foreign_keys(spi, relid, target);
  return rows;
}

}  // namespace pgdb::snapshots
