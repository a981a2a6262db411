// Appended to an earlier release's src/pg/postgres.hpp when test/e2e/upgrade.sh builds that
// release for PostgreSQL 16 or later. Those releases were written for 15 and call the checks 16
// replaced (per-catalog ownership and ACL checks, build_attrmap_by_name without missing_ok,
// stringToQualifiedNameList without escontext); these macros map each onto its successor, with
// the arguments src/pg/compat.hpp passes for the current code. Never part of the extension.
#if PG_VERSION_NUM >= 160000
extern "C" {
#include "access/attmap.h"
#include "catalog/pg_class.h"
#include "catalog/pg_database.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "utils/acl.h"
#include "utils/regproc.h"
}
#define pg_class_ownercheck(relid, role) object_ownercheck(RelationRelationId, relid, role)
#define pg_type_ownercheck(type, role) object_ownercheck(TypeRelationId, type, role)
#define pg_namespace_ownercheck(nsp, role) object_ownercheck(NamespaceRelationId, nsp, role)
#define pg_namespace_aclcheck(nsp, role, mode) object_aclcheck(NamespaceRelationId, nsp, role, mode)
#define pg_proc_aclcheck(fn, role, mode) object_aclcheck(ProcedureRelationId, fn, role, mode)
#define pg_database_aclcheck(db, role, mode) object_aclcheck(DatabaseRelationId, db, role, mode)
#define build_attrmap_by_name(in, out) build_attrmap_by_name(in, out, false)
#define stringToQualifiedNameList(text) stringToQualifiedNameList(text, nullptr)
#endif
