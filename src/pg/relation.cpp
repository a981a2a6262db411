#include "pg/relation.hpp"

#include "core/error.hpp"
#include "pg/guard.hpp"
#include "pg/quote.hpp"

extern "C" {
#include "catalog/pg_class.h"
#include "utils/acl.h"
#include "utils/lsyscache.h"
}

namespace pgdb::pg {

std::string TableName::quoted() const {
  return quote_identifier(schema) + "." + quote_identifier(name);
}

TableName table_name(Oid relid) {
  char* name = call([relid] { return get_rel_name(relid); });
  Oid namespace_oid = call([relid] { return get_rel_namespace(relid); });
  char* schema = OidIsValid(namespace_oid)
                     ? call([namespace_oid] { return get_namespace_name(namespace_oid); })
                     : nullptr;
  if (name == nullptr || schema == nullptr)
    throw Error(sqlstate::undefined_table,
                "relation with OID " + std::to_string(relid) + " does not exist");
  return TableName{schema, name};
}

void require_table(Oid relid, std::string_view argument) {
  char kind = call([relid] { return get_rel_relkind(relid); });
  if (kind == RELKIND_RELATION || kind == RELKIND_PARTITIONED_TABLE) return;
  if (kind == '\0')
    throw Error(sqlstate::undefined_table,
                "relation with OID " + std::to_string(relid) + " does not exist");
  throw Error("42809", std::string(argument) + " " + table_name(relid).quoted() + " is not a table",
              {}, "Pass an ordinary or partitioned table.");
}

void require_table_owner(Oid relid, const char* what) {
  Oid user = GetUserId();
  bool owner = call([relid, user] { return pg_class_ownercheck(relid, user); });
  if (!owner)
    throw Error(
        sqlstate::insufficient_privilege, "must be owner of table " + table_name(relid).quoted(),
        {},
        std::string("Only the table's owner (or a member of the owning role) can ") + what + ".");
}

}  // namespace pgdb::pg
