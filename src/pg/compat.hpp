// Every difference between the PostgreSQL versions pgdb_tools builds against (15 to 18), in one
// place: the feature files call these and never test PG_VERSION_NUM themselves. Checked by
// building against 15 (Debian) and 18 (../shared/postgres); 16 and 17 are not installable here and
// are covered by the documented API history: PostgreSQL 16 replaced the per-catalog ownership and
// ACL checks (pg_class_ownercheck, pg_namespace_aclcheck, ...) with object_ownercheck and
// object_aclcheck, gave build_attrmap_by_name a missing_ok argument and stringToQualifiedNameList
// an escontext argument, and stopped installing parser/gram.h.
// Each function is a plain PostgreSQL call: wrap it in pg::call like any other.
#pragma once

#include "pg/postgres.hpp"

extern "C" {
#include "access/attmap.h"
#include "catalog/index.h"
#include "catalog/dependency.h"
#include "catalog/pg_class.h"
#include "catalog/pg_database.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "utils/acl.h"
#include "executor/executor.h"
#include "parser/parse_type.h"
#include "utils/regproc.h"
}

namespace pgdb::pg::compat {

inline bool owns_relation(Oid relid, Oid role) {
#if PG_VERSION_NUM >= 160000
  return object_ownercheck(RelationRelationId, relid, role);
#else
  return pg_class_ownercheck(relid, role);
#endif
}

inline bool owns_type(Oid type, Oid role) {
#if PG_VERSION_NUM >= 160000
  return object_ownercheck(TypeRelationId, type, role);
#else
  return pg_type_ownercheck(type, role);
#endif
}

inline bool owns_namespace(Oid nsp, Oid role) {
#if PG_VERSION_NUM >= 160000
  return object_ownercheck(NamespaceRelationId, nsp, role);
#else
  return pg_namespace_ownercheck(nsp, role);
#endif
}

inline AclResult namespace_aclcheck(Oid nsp, Oid role, AclMode mode) {
#if PG_VERSION_NUM >= 160000
  return object_aclcheck(NamespaceRelationId, nsp, role, mode);
#else
  return pg_namespace_aclcheck(nsp, role, mode);
#endif
}

inline AclResult proc_aclcheck(Oid function, Oid role, AclMode mode) {
#if PG_VERSION_NUM >= 160000
  return object_aclcheck(ProcedureRelationId, function, role, mode);
#else
  return pg_proc_aclcheck(function, role, mode);
#endif
}

inline AclResult database_aclcheck(Oid database, Oid role, AclMode mode) {
#if PG_VERSION_NUM >= 160000
  return object_aclcheck(DatabaseRelationId, database, role, mode);
#else
  return pg_database_aclcheck(database, role, mode);
#endif
}

// Columns of `in` matched to those of `out` by name; an error when one of out's is missing.
inline AttrMap* attrmap_by_name(TupleDesc in, TupleDesc out) {
#if PG_VERSION_NUM >= 160000
  return build_attrmap_by_name(in, out, false);
#else
  return build_attrmap_by_name(in, out);
#endif
}

// A qualified name's parts (raises on a malformed one).
inline List* qualified_name_list(const char* text) {
#if PG_VERSION_NUM >= 160000
  return stringToQualifiedNameList(text, nullptr);
#else
  return stringToQualifiedNameList(text);
#endif
}

// A type name as SQL writes it ("numeric(10,2)", "public.mood[]"): its type and typmod (raises
// for anything else, or a type that does not exist).
inline void parse_type_name(const char* text, Oid* type, int32* typmod) {
#if PG_VERSION_NUM >= 160000
  parseTypeString(text, type, typmod, nullptr);
#else
  parseTypeString(text, type, typmod, false);
#endif
}

// Rebuilds every index of a table from its heap (reindex_relation; PostgreSQL 17 added the
// statement argument, which may be NULL).
inline void reindex_table(Oid relid, int flags) {
  ReindexParams params = {};
#if PG_VERSION_NUM >= 170000
  reindex_relation(nullptr, relid, flags, &params);
#else
  reindex_relation(relid, flags, &params);
#endif
}

// SQL condition on pg_constraint (as c): the constraint is enforced on new rows (PostgreSQL 18
// added NOT ENFORCED constraints; before, every constraint is).
#if PG_VERSION_NUM >= 180000
inline constexpr const char* constraint_enforced = "c.conenforced";
#else
inline constexpr const char* constraint_enforced = "true";
#endif

// The sequence of an identity column (InvalidOid when it has none). PostgreSQL 17 takes the
// relation instead of its OID.
inline Oid identity_sequence(Relation rel, AttrNumber attnum) {
#if PG_VERSION_NUM >= 170000
  return getIdentitySequence(rel, attnum, true);
#else
  return getIdentitySequence(RelationGetRelid(rel), attnum, true);
#endif
}

// Index entries for a row just inserted (not an UPDATE, duplicates raise). PostgreSQL 16 added
// onlySummarizing.
inline void insert_index_tuples(ResultRelInfo* info, TupleTableSlot* slot, EState* estate) {
#if PG_VERSION_NUM >= 160000
  ExecInsertIndexTuples(info, slot, estate, false, false, nullptr, NIL, false);
#else
  ExecInsertIndexTuples(info, slot, estate, false, false, nullptr, NIL);
#endif
}

}  // namespace pgdb::pg::compat
