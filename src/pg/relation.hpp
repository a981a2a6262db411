// Facts about tables, read from the catalog, and the checks the features' entry points make of
// the tables they are given (kind, owner, not the extension's own), each written once.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pg/postgres.hpp"

extern "C" {
#include "storage/lockdefs.h"
#include "utils/rel.h"
}

namespace pgdb::pg {

struct TableName {
  std::string schema;
  std::string name;
  std::string quoted() const;  // "schema"."name", quoted as needed
};

// The table's schema and name; 42P01 when relid names no relation.
TableName table_name(Oid relid);

// The table's schema and name; nullopt when relid names no relation (without a lock: one dropped
// meanwhile).
std::optional<TableName> find_table_name(Oid relid);

// Whether the table holds a row visible to the active snapshot (the transaction's when none is
// active), read with an ACCESS SHARE lock and no privilege check or row-level security: for
// questions about the storage, not for answers shown to a caller.
bool relation_has_rows(Oid relid);

// 42809 unless relid is an ordinary or partitioned table; argument names the SQL argument.
void require_table(Oid relid, std::string_view argument);

// Whether the current user owns the relation, directly or through role membership.
bool owns_table(Oid relid);

// 42501 unless the current user owns the table (directly or through role membership); the HINT
// says that only its owner can `what` ("manage its triggers").
void require_table_owner(Oid relid, const char* what);

// The role that owns the relation (read from the relation cache: current once it is locked).
Oid table_owner(Oid relid);

// A relation opened with relation_open (taking mode, NoLock when it is held already) for as long as
// the object lives, then closed keeping the lock; after a PostgreSQL error no rollback has cleaned
// up yet, closing is left to that rollback. Read the relation cache entry through it: rd_rel,
// trigdesc, rd_rules, the descriptor.
class OpenRelation {
 public:
  OpenRelation(Oid relid, LOCKMODE mode);
  ~OpenRelation();
  OpenRelation(const OpenRelation&) = delete;
  OpenRelation& operator=(const OpenRelation&) = delete;

  Relation get() const noexcept { return relation_; }
  Relation operator->() const noexcept { return relation_; }
  TupleDesc descriptor() const noexcept { return RelationGetDescr(relation_); }

 private:
  Relation relation_;
  int pending_at_start_;
};

// One live (not dropped) column of a table, as the relation cache has it.
struct Column {
  std::string name;
  Oid type;
  int32 typmod;
  std::string type_name;  // with the typmod: "character varying(20)"
  Oid collation;          // InvalidOid for a type without collation
  bool generated;
  bool identity_always;
};

// The table's live columns in order, the relation opened with mode: current once the table is
// locked, also in a REPEATABLE READ transaction whose snapshot predates a change.
std::vector<Column> live_columns(Oid relid, LOCKMODE mode);

class Spi;

// Whether schema nsp is one of PostgreSQL's own: pg_catalog, a TOAST schema or
// information_schema.
bool is_system_schema(Oid nsp);

// Whether schema nsp is one of pgdb_tools's own: its schema, or one the extension created
// (pgdb_tools_snapshots). They hold its catalog and stored copies.
bool is_extension_schema(Spi& spi, Oid nsp);

// 22023 when the table is a system catalog, lies in one of the extension's schemas or belongs to
// the extension: never material for the extension's functions. `action` says what the caller
// would do: "snapshot", "restore", "manage triggers on".
void require_user_table(Spi& spi, Oid relid, const std::string& action);

}  // namespace pgdb::pg
