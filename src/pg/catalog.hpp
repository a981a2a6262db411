// The catalog room: what the features ask PostgreSQL's catalog about relations, schemas, types and
// names, each question written once here (through pg::call), so feature files hold no lookup of
// their own. Lookups take no lock unless they say so, and an object that does not exist comes back
// as InvalidOid, nullopt or '\0', never as an error, unless the function says otherwise. Tables
// and their checks are in relation.hpp, roles and privileges in roles.hpp, catalog rows by OID in
// syscache.hpp, version differences in compat.hpp.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pg/postgres.hpp"

extern "C" {
#include "catalog/pg_class.h"
#include "nodes/pg_list.h"
#include "nodes/primnodes.h"
#include "storage/lockdefs.h"
}

namespace pgdb::pg {

// The relation's kind (RELKIND_RELATION, RELKIND_PARTITIONED_TABLE, ...); '\0' when relid names no
// relation.
char relkind(Oid relid);

// The schema holding the relation; InvalidOid when relid names no relation.
Oid relation_schema(Oid relid);

// Whether the relation is a partition (relispartition); false when relid names no relation.
bool is_partition(Oid relid);

// Whether a relation of this kind is an ordinary or a partitioned table: what the features manage.
constexpr bool is_table_kind(char kind) {
  return kind == RELKIND_RELATION || kind == RELKIND_PARTITIONED_TABLE;
}

// The schema's name; nullopt when nsp names no schema (one dropped meanwhile).
std::optional<std::string> schema_name(Oid nsp);

// The schema called name; InvalidOid when there is none.
Oid schema_oid(const char* name);

// The role that owns the relation / the schema, read from the system cache without a lock;
// InvalidOid when there is none.
Oid relation_owner(Oid relid);
Oid schema_owner(Oid nsp);

// The relation called name in schema nsp; InvalidOid when there is none.
Oid relation_in_schema(Oid nsp, const char* name);

// The relation called name in the schema called schema; InvalidOid when either is missing.
Oid relation_in_schema(const char* schema, const char* name);

// The relation a statement names, resolved as the statement resolves it (the current
// search_path for an unqualified name), without a lock; InvalidOid when there is none.
Oid find_relation(const RangeVar* relation);

// The relation schema.name (schema nullptr: the first one search_path finds), without a lock;
// InvalidOid when there is none.
Oid find_relation(const char* schema, const char* name);

// Whether relid names a relation.
bool relation_exists(Oid relid);

// Takes mode on the relation (held to the end of the transaction, as PostgreSQL's own locks).
void lock_relation(Oid relid, LOCKMODE mode);

// Lock, then recheck: takes mode on the relation and reports whether it still exists. One
// dropped while the lock was awaited is gone, and its OID must not be used any further.
[[nodiscard]] bool lock_relation_if_exists(Oid relid, LOCKMODE mode);

// relid followed by every partition and inheritance child below it, each locked with mode (NoLock:
// none), in PostgreSQL's order (find_all_inheritors).
std::vector<Oid> with_inheritors(Oid relid, LOCKMODE mode);

// The OIDs of an OID list (NIL: none).
std::vector<Oid> oid_list(const List* list);

// The type's SQL name as format_type prints it for the type alone ("character varying").
std::string type_name(Oid type);

// The type's SQL name with a column's typmod ("character varying(20)"). A typmod of -1 spells the
// type as a column without one is spelled (bpchar, not character(1)).
std::string type_name(Oid type, int32 typmod);

// The OID a name stands for, read by a reg* type's input function (regclassin, regprocedurein,
// regconfigin ...), so every spelling the SQL cast accepts works, resolved with search_path
// `path`: the trusted one for names written in trigger arguments, the caller's for the names a
// caller passes. Raises as the cast would for a name that resolves to nothing.
Oid lookup_name(const std::string& path, PGFunction input, const char* name);

}  // namespace pgdb::pg
