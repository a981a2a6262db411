#include "pg/roles.hpp"

#include "core/error.hpp"
#include "pg/compat.hpp"
#include "pg/guard.hpp"
#include "pg/spi.hpp"

extern "C" {
#include "utils/guc.h"
}

namespace pgdb::pg {

Oid extension_owner(Spi& spi) {
  spi.execute_kept(
      "SELECT extowner::int8 FROM pg_catalog.pg_extension WHERE extname = 'pgdb_tools'", {}, true);
  if (spi.row_count() != 1)
    throw Error(sqlstate::object_not_in_prerequisite_state,
                "extension pgdb_tools is not installed");
  return static_cast<Oid>(spi.get_int64(0, 0).value());
}

const std::string& ExtensionOwner::name() {
  if (!name_) name_ = role_name(oid_);
  return *name_;
}

Oid role_oid(const char* name) {
  return call([name] { return get_role_oid(name, true); });
}

std::string role_name(Oid role) {
  return call([role] { return GetUserNameFromId(role, false); });
}

std::optional<std::string> find_role_name(Oid role) {
  char* name = call([role] { return GetUserNameFromId(role, true); });
  if (name == nullptr) return std::nullopt;
  return std::string(name);
}

bool has_privileges_of(Oid member, Oid role) {
  return call([member, role] { return has_privs_of_role(member, role); });
}

bool may_bypass() {
  Oid role = role_oid(bypass_role);
  return OidIsValid(role) && has_privileges_of(GetUserId(), role);
}

bool owns_schema(Oid nsp) {
  Oid user = GetUserId();
  return call([nsp, user] { return compat::owns_namespace(nsp, user); });
}

bool owns_type(Oid type) {
  Oid user = GetUserId();
  return call([type, user] { return compat::owns_type(type, user); });
}

bool has_schema_usage(Oid nsp, Oid role) {
  return call([nsp, role] { return compat::namespace_aclcheck(nsp, role, ACL_USAGE); }) ==
         ACLCHECK_OK;
}

std::string current_search_path() {
  return call([] { return GetConfigOption("search_path", false, false); });
}

SearchPath::SearchPath(const std::string& path, bool discard_changes)
    : pending_at_start_(pending_pg_errors()), discard_changes_(discard_changes) {
  guc_level_ = NewGUCNestLevel();
  const char* value = path.c_str();
  call([value] {
    (void)set_config_option("search_path", value, PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true,
                            0, false);
  });
}

void set_in_scope(const char* name, const char* value) {
  call([name, value] {
    (void)set_config_option(name, value, PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0,
                            false);
  });
}

SearchPath::~SearchPath() {
  // After a PostgreSQL error the coming rollback restores the setting; otherwise do it now.
  if (pending_pg_errors() == pending_at_start_) AtEOXact_GUC(!discard_changes_, guc_level_);
}

// The caller's search_path must not choose the operators and functions that run with the owner's
// rights (the CVE-2018-1058 pattern): pinned as a SECURITY DEFINER ... SET would.
ActingAs::ActingAs(Oid role) : trusted_path_(trusted_search_path, true) {
  GetUserIdAndSecContext(&saved_user_, &saved_context_);
  SetUserIdAndSecContext(
      role, saved_context_ | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
}

ActingAs::~ActingAs() { SetUserIdAndSecContext(saved_user_, saved_context_); }

}  // namespace pgdb::pg
