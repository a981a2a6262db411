#include "snapshots/open_archive_pg.hpp"

#include "core/error.hpp"
#include "pg/datum.hpp"

namespace pgdb::archive {

namespace {

std::string readable_path(FunctionCallInfo fcinfo, int n, const std::string& action) {
  if (PG_ARGISNULL(n)) throw Error(sqlstate::invalid_parameter_value, "path must not be NULL");
  std::string path = pg::text_to_string(PG_GETARG_DATUM(n));
  require_file_privilege(false, action);
  return path;
}

}  // namespace

OpenArchive::OpenArchive(FunctionCallInfo fcinfo, int path_argument, const std::string& action)
    : file(readable_path(fcinfo, path_argument, action)), source(file), reader(source, sha) {}

}  // namespace pgdb::archive
