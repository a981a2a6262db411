// archive_verify(path) and archives(): archive files checked and listed without importing them.
#include <dirent.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "pg/datum.hpp"
#include "pg/guard.hpp"
#include "pg/quote.hpp"
#include "pg/roles.hpp"
#include "pg/srf.hpp"
#include "snapshots/files_pg.hpp"
#include "snapshots/archive_path.hpp"
#include "snapshots/archive_reader.hpp"
#include "snapshots/open_archive_pg.hpp"
#include "snapshots/verify_rows_pg.hpp"

extern "C" {
#include "utils/timestamp.h"
}

using namespace pgdb;

namespace {

std::string table_label(const archive::TableEntry& table) {
  return pg::quote_identifier(table.schema) + "." + pg::quote_identifier(table.name);
}

// "YYYY-MM-DD HH:MM:SS.ffffff+00" of microseconds since 1970, as timestamptz input takes it.
std::string timestamp_text(std::int64_t us) {
  return pg::call([us] {
    TimestampTz ts = static_cast<TimestampTz>(us) -
                     (static_cast<TimestampTz>(POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) *
                      SECS_PER_DAY * USECS_PER_SEC);
    return timestamptz_to_str(ts);
  });
}

// The content hash recomputed from the rows against the recorded one.
void hash_outcome(const snapshots::RowsHash& hash, const std::string& recorded, bool& ok,
                  std::string& detail) {
  if (hash.malformed) {
    ok = false;
    detail = "the rows do not fit the recorded columns: " + hash.unchecked;
  } else if (!hash.hex) {
    detail += "; content hash not checked: " + hash.unchecked;
  } else if (*hash.hex != recorded) {
    ok = false;
    detail = "content hash differs: recorded " + recorded + ", the rows give " + *hash.hex;
  } else {
    detail = "checksums, row counts and content hash match";
  }
}

}  // namespace

// archive_verify(path): per table, whether its chunks' checksums, counts and the file's SHA-256
// hold, and its content hash recomputed from its rows (verify_rows_pg.hpp). A file damaged before
// its first table (header, manifest) is an error (XX001); damage in a table's rows marks that table
// and the ones after it as not ok.
PGDB_FUNCTION(pgdb_tools_archive_verify) {
  archive::OpenArchive archive(fcinfo, 0, "verify an archive file");
  archive::ArchiveReader& reader = archive.reader;
  const archive::Manifest& manifest = reader.manifest();
  pg::ResultRows result(fcinfo);
  std::vector<std::uint64_t> rows(manifest.tables.size(), 0);
  std::vector<snapshots::RowsHash> hashes(manifest.tables.size());
  std::vector<archive::TableSummary> recorded;
  std::optional<std::string> failure;
  // The first table a failure concerns: the one whose rows were being read, or every table when
  // the summary or the trailer (the file's SHA-256) does not check.
  std::size_t failed_at = 0;
  std::size_t current = 0;
  bool in_rows = false;
  bool whole_file = false;
  try {
    while (std::optional<std::size_t> index = reader.next_table()) {
      current = *index;
      in_rows = true;
      hashes[current] =
          snapshots::hash_archive_rows(reader, manifest.tables[current], manifest.encoding);
      in_rows = false;
      rows[current] = reader.counted(current).rows;
    }
    recorded = reader.finish().tables;
  } catch (const Error& e) {
    failure = e.what();
    failed_at = in_rows ? current : 0;
    whole_file = !in_rows;
  }
  for (std::size_t i = 0; i < manifest.tables.size(); ++i) {
    bool ok = !failure || i < failed_at;
    std::string detail = "checksums and row counts match";
    if (!ok) detail = whole_file || i == failed_at ? *failure : "not checked: " + *failure;
    if (ok && !failure) hash_outcome(hashes[i], recorded[i].content_hash, ok, detail);
    result.add(
        {table_label(manifest.tables[i]), std::to_string(rows[i]), ok ? "true" : "false", detail});
  }
  return Datum(0);
}

// archives(): the archive files directly in the archive directory, from their two ends.
PGDB_FUNCTION(pgdb_tools_archives) {
  archive::require_file_privilege(false, "list archive files");
  std::string directory = archive::archive_directory();
  std::vector<std::string> names;
  if (DIR* dir = opendir(directory.c_str())) {
    while (struct dirent* entry = readdir(dir))
      if (archive::is_archive_name(entry->d_name)) names.emplace_back(entry->d_name);
    closedir(dir);
  }
  std::sort(names.begin(), names.end());
  pg::ResultRows result(fcinfo);
  for (const std::string& name : names) {
    pg::check_for_interrupts();
    std::optional<std::string> bytes, created, snapshot, tables, total;
    bool ok = false;
    try {
      archive::ConfinedFile file(name);
      archive::FileSource source(file);
      bytes = std::to_string(source.size());
      archive::Listing listing = archive::read_listing(source);
      created = timestamp_text(listing.manifest.taken_at_us);
      snapshot = listing.manifest.snapshot_name;
      tables = std::to_string(listing.manifest.tables.size());
      std::uint64_t sum = 0;
      for (const archive::TableSummary& t : listing.summary.tables) sum += t.rows;
      total = std::to_string(sum);
      ok = true;
    } catch (const Error&) {
      // Listed as not ok: a damaged or foreign file (or a symbolic link) in the directory.
    }
    result.add({name, bytes, created, snapshot, tables, total, ok ? "true" : "false"});
  }
  return Datum(0);
}
