// An archive file a caller names, opened for reading on their behalf: what snapshot_import and
// archive_verify begin with.
#pragma once

#include <string>

#include "pg/postgres.hpp"
#include "snapshots/archive_reader.hpp"
#include "snapshots/files_pg.hpp"

namespace pgdb::archive {

// The file named by argument path_argument of the call (22023 when NULL), once the caller's right
// to read server files was checked for `action` ("verify an archive file", see
// require_file_privilege), confined to the archive directory, with its reader past the header and
// the manifest (XX001 for a damaged one).
class OpenArchive {
 public:
  OpenArchive(FunctionCallInfo fcinfo, int path_argument, const std::string& action);
  OpenArchive(const OpenArchive&) = delete;
  OpenArchive& operator=(const OpenArchive&) = delete;

  const Manifest& manifest() const noexcept { return reader.manifest(); }

  ConfinedFile file;
  FileSource source;
  PgSha256 sha;
  ArchiveReader reader;
};

}  // namespace pgdb::archive
