#include "pg/roles.hpp"

#include "core/error.hpp"
#include "pg/spi.hpp"

namespace pgdb::pg {

Oid extension_owner(Spi& spi) {
  spi.execute("SELECT extowner::int8 FROM pg_catalog.pg_extension WHERE extname = 'pgdb_tools'", {},
              true);
  if (spi.row_count() != 1)
    throw Error(sqlstate::object_not_in_prerequisite_state,
                "extension pgdb_tools is not installed");
  return static_cast<Oid>(spi.get_int64(0, 0).value());
}

ActingAs::ActingAs(Oid role) {
  GetUserIdAndSecContext(&saved_user_, &saved_context_);
  SetUserIdAndSecContext(role, saved_context_ | SECURITY_LOCAL_USERID_CHANGE);
}

ActingAs::~ActingAs() { SetUserIdAndSecContext(saved_user_, saved_context_); }

}  // namespace pgdb::pg
