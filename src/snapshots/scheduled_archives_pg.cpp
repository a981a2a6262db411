// What schedule_archive needs beyond pg_cron (archives.sql): the schedule's row, written as the
// extension's owner once the caller's rights were checked, and the pruning of a prefix's files.
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "pg/datum.hpp"
#include "pg/guard.hpp"
#include "pg/quote.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"
#include "snapshots/archive_path.hpp"
#include "snapshots/archive_reader.hpp"
#include "snapshots/capture_pg.hpp"
#include "snapshots/files_pg.hpp"
#include "snapshots/store_pg.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "commands/dbcommands.h"
}

namespace pgdb::snapshots {

namespace {

std::optional<Datum> optional_arg(FunctionCallInfo fcinfo, int n) {
  return PG_ARGISNULL(n) ? std::nullopt : std::optional(PG_GETARG_DATUM(n));
}

std::string current_database_name() {
  return pg::call([] { return get_database_name(MyDatabaseId); });
}

// The names of the directory's archives of `prefix` that this database wrote (the manifest says
// so, and that its snapshot is named after the file): files another database, a person or a
// damaged write left under such a name are never counted nor removed.
std::vector<std::string> own_scheduled_archives(const std::string& prefix) {
  std::vector<std::string> names;
  std::string directory = archive::archive_directory();
  if (DIR* dir = opendir(directory.c_str())) {
    while (struct dirent* entry = readdir(dir))
      if (archive::is_scheduled_archive_name(entry->d_name, prefix))
        names.emplace_back(entry->d_name);
    closedir(dir);
  }
  const std::string database = current_database_name();
  std::vector<std::string> own;
  for (const std::string& name : names) {
    pg::check_for_interrupts();
    try {
      archive::ConfinedFile file(name);
      archive::FileSource source(file);
      archive::Listing listing = archive::read_listing(source);
      if (listing.manifest.database == database &&
          listing.manifest.snapshot_name + std::string(archive::file_suffix) == name)
        own.push_back(name);
    } catch (const Error&) {
      // Not one this database wrote whole (a symbolic link, damaged): left alone.
    }
  }
  return own;
}

}  // namespace

}  // namespace pgdb::snapshots

using namespace pgdb;
using namespace pgdb::snapshots;

// _archive_schedule_save(name_prefix, tables, schemas, keep_last): keep_last NULL removes the
// caller's schedule of that prefix; otherwise it is created or replaced. A prefix names files in
// a directory the whole cluster shares, so one role schedules it in a database.
PGDB_FUNCTION(pgdb_tools_archive_schedule_save) {
  pg::SearchPath trusted(pg::trusted_search_path);
  if (PG_ARGISNULL(0))
    throw Error(sqlstate::invalid_parameter_value, "name_prefix must not be NULL");
  std::string prefix = pg::text_to_string(PG_GETARG_DATUM(0));
  const Oid caller = GetUserId();
  pg::Spi spi;
  pg::ExtensionOwner owner(spi);
  if (PG_ARGISNULL(3)) {
    pg::ActingAs as_owner = owner.acting();
    spi.execute(
        "DELETE FROM pgdb_tools.archive_schedules WHERE name_prefix = $1 AND owner_oid = $2",
        {pg::Param::text(prefix), pg::Param::oid(caller)});
    PG_RETURN_VOID();
  }
  if (PG_GETARG_INT32(3) < 1)
    throw Error(sqlstate::invalid_parameter_value, "keep_last must be at least 1");
  archive::require_file_privilege(true, "schedule archive files");
  // The lists are checked now, as the caller, as each run checks them again.
  collect_tables(spi, optional_arg(fcinfo, 1), optional_arg(fcinfo, 2),
                 {"schedule_archive", "archive"});
  pg::Param tables = PG_ARGISNULL(1) ? pg::Param::null(REGCLASSARRAYOID)
                                     : pg::Param{REGCLASSARRAYOID, PG_GETARG_DATUM(1), false};
  pg::Param schemas = PG_ARGISNULL(2) ? pg::Param::null(NAMEARRAYOID)
                                      : pg::Param{NAMEARRAYOID, PG_GETARG_DATUM(2), false};
  const std::string user = current_user_name();
  pg::ActingAs as_owner = owner.acting();
  spi.execute(
      "INSERT INTO pgdb_tools.archive_schedules AS s (name_prefix, tables, schemas, keep_last, "
      "owner_oid, owner_name) VALUES ($1, $2, $3, $4, $5, $6) "
      "ON CONFLICT (name_prefix) DO UPDATE SET tables = EXCLUDED.tables, schemas = "
      "EXCLUDED.schemas, keep_last = EXCLUDED.keep_last, owner_name = EXCLUDED.owner_name "
      "WHERE s.owner_oid OPERATOR(pg_catalog.=) EXCLUDED.owner_oid RETURNING 1",
      {pg::Param::text(prefix), tables, schemas, pg::Param::int4(PG_GETARG_INT32(3)),
       pg::Param::oid(caller), pg::Param::text(user)});
  if (spi.row_count() == 0) {
    spi.execute(
        "SELECT coalesce(r.rolname::pg_catalog.text, s.owner_name::pg_catalog.text) FROM "
        "pgdb_tools.archive_schedules s LEFT JOIN pg_catalog.pg_roles r ON r.oid "
        "OPERATOR(pg_catalog.=) s.owner_oid WHERE s.name_prefix OPERATOR(pg_catalog.=) $1",
        {pg::Param::text(prefix)});
    std::string other = spi.row_count() > 0 ? spi.get_text(0, 0).value_or("") : "";
    throw Error(sqlstate::duplicate_object,
                "archive prefix \"" + prefix + "\" is scheduled by role " +
                    pg::quote_identifier(other) + " in this database",
                "Each schedule prunes the files of its prefix in the archive directory, which the "
                "whole cluster shares.",
                "Choose another name_prefix, or have that role unschedule_archive() it.");
  }
  PG_RETURN_VOID();
}

// _prune_archives(name_prefix, keep_last): the prefix's archives of this database beyond the
// newest keep_last are removed; returns how many.
PGDB_FUNCTION(pgdb_tools_prune_archives) {
  if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
    throw Error(sqlstate::invalid_parameter_value, "name_prefix and keep_last must not be NULL");
  std::string prefix = pg::text_to_string(PG_GETARG_DATUM(0));
  int keep_last = PG_GETARG_INT32(1);
  if (keep_last < 1) throw Error(sqlstate::invalid_parameter_value, "keep_last must be at least 1");
  if (archive::confine_path(prefix).refusal || prefix.find('/') != std::string::npos)
    throw Error(sqlstate::invalid_parameter_value, "invalid name_prefix: " + prefix, {},
                "A prefix names files directly in pgdb_tools.archive_directory.");
  archive::require_file_privilege(true, "remove archive files");
  std::vector<std::string> victims =
      archive::archives_beyond(own_scheduled_archives(prefix), static_cast<std::size_t>(keep_last));
  if (victims.empty()) PG_RETURN_INT32(0);
  archive::ConfinedFile directory(victims.front());
  int removed = 0;
  for (const std::string& name : victims) {
    if (unlinkat(directory.directory_fd(), name.c_str(), 0) == 0)
      ++removed;
    else if (errno != ENOENT)  // another run removed it first
      throw Error("58030", "could not remove archive file \"" + name + "\": " + strerror(errno));
  }
  if (fsync(directory.directory_fd()) != 0)
    throw Error("58030", std::string("could not fsync the archive directory: ") + strerror(errno));
  PG_RETURN_INT32(removed);
}
