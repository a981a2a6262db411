// The foreign key check of the bulk reload (bulk_reload_pg.hpp), PG-free: the one anti-join
// that finds a reloaded row whose key has no referenced row, as PostgreSQL's own RI_Initial_Check
// (ALTER TABLE ... ADD FOREIGN KEY) writes it, and the error it reports. The query runs under the
// caller's search_path, so every name comes quoted and qualified and every operator is written
// OPERATOR(schema.op).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace pgdb::snapshots {

// One key column pair of a foreign key, in the constraint's order.
struct ForeignKeyColumn {
  std::string referencing;         // the column's name, as in the catalog (for the DETAIL)
  std::string referencing_quoted;  // quoted
  std::string referenced_quoted;   // the referenced column, quoted
  // The constraint's equality operator (pg_constraint.conpfeqop: referenced = referencing),
  // "schema".op, and the casts its operands need: the operator's input type ("schema"."type")
  // where the column's type differs, empty otherwise.
  std::string equality;
  std::string referenced_cast;
  std::string referencing_cast;
  // The referenced column's collation ("schema"."name") where the two columns' differ: the key
  // is compared as the referenced table's unique index compares it. Empty otherwise.
  std::string collation;
};

struct ForeignKey {
  std::string name;                     // the constraint's name, as in the catalog
  std::string referencing_table;        // quoted and qualified: the reloaded table
  std::string referenced_table;         // quoted and qualified (may be the reloaded table itself)
  bool referenced_partitioned = false;  // scanned with its partitions, not ONLY
  bool match_full = false;              // MATCH FULL (else MATCH SIMPLE)
  std::vector<ForeignKeyColumn> columns;
};

// SELECT of the first row of the referencing table that breaks the key, its key columns as text
// in the constraint's order (no row: the key holds). MATCH SIMPLE skips a row with any NULL in
// its key; MATCH FULL skips a row whose key is all NULL and returns one that mixes NULLs and
// values.
std::string violation_query(const ForeignKey& key);

// The DETAIL for the row violation_query returned (its values, nullopt for NULL), as PostgreSQL
// words it: "Key (a, b)=(1, 2) is not present in table ...", or for MATCH FULL with some NULLs
// "MATCH FULL does not allow mixing of null and nonnull key values.".
std::string violation_detail(const ForeignKey& key,
                             const std::vector<std::optional<std::string>>& values);

// Facts of one foreign key of a table about to be reloaded, for bulk_reload_refusal.
struct ForeignKeyFacts {
  bool deferrable = false;           // its check may be deferred to commit
  bool referenced_readable = false;  // the reloading owner may read the referenced key columns
                                     // with no row-level security applying to it
  bool xact_snapshot = false;        // the transaction reads one snapshot (REPEATABLE READ or
                                     // SERIALIZABLE)
};

// Why the table's foreign keys keep it on INSERT ... SELECT, or nullopt when one anti-join per key
// after the load checks them as the INSERT would.
std::optional<std::string> foreign_key_refusal(const std::vector<ForeignKeyFacts>& keys);

}  // namespace pgdb::snapshots
