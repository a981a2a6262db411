// Facts about tables, read from the catalog, for the features' entry points.
#pragma once

#include <string>
#include <string_view>

#include "pg/postgres.hpp"

namespace pgdb::pg {

struct TableName {
  std::string schema;
  std::string name;
  std::string quoted() const;  // "schema"."name", quoted as needed
};

// The table's schema and name; 42P01 when relid names no relation.
TableName table_name(Oid relid);

// 42809 unless relid is an ordinary or partitioned table; argument names the SQL argument.
void require_table(Oid relid, std::string_view argument);

// 42501 unless the current user owns the table (directly or through role membership); the HINT
// says that only its owner can `what` ("manage its triggers").
void require_table_owner(Oid relid, const char* what);

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
