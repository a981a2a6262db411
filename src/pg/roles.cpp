#include "pg/roles.hpp"

#include "core/error.hpp"
#include "pg/guard.hpp"
#include "pg/spi.hpp"

extern "C" {
#include "utils/guc.h"
}

namespace pgdb::pg {

Oid extension_owner(Spi& spi) {
  spi.execute("SELECT extowner::int8 FROM pg_catalog.pg_extension WHERE extname = 'pgdb_tools'", {},
              true);
  if (spi.row_count() != 1)
    throw Error(sqlstate::object_not_in_prerequisite_state,
                "extension pgdb_tools is not installed");
  return static_cast<Oid>(spi.get_int64(0, 0).value());
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
