// archive_create(path, tables, schemas, compression, note): live tables straight into one archive
// file, without a stored copy. The tables are collected and pinned as snapshot_create does them
// (capture_pg.hpp: the same checks, locks and one registered snapshot); each leaf is then read by
// a heap scan that, in the same pass, writes every row as COPY text of the table's live columns
// and adds it to the table's content hash, which therefore equals what snapshot_create would
// record of the same rows. The file appears under its name only once complete and on disk.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "pg/datum.hpp"
#include "pg/guard.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"
#include "snapshots/archive_path.hpp"
#include "snapshots/archive_writer.hpp"
#include "snapshots/capture_pg.hpp"
#include "snapshots/copy_text_pg.hpp"
#include "snapshots/files_pg.hpp"
#include "snapshots/store_pg.hpp"

extern "C" {
#include "access/table.h"
#include "access/tableam.h"
#include "executor/tuptable.h"
#include "mb/pg_wchar.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
}

namespace pgdb::snapshots {

namespace {

// What one table's rows came to.
struct WrittenTable {
  std::uint64_t rows = 0;
  std::uint64_t stored_bytes = 0;
};

WrittenTable write_table(archive::ArchiveWriter& writer, const CapturedTable& table,
                         Snapshot snapshot, std::string& batch) {
  writer.begin_table();
  ContentHash hash;
  WrittenTable written;
  TextColumns columns;
  pg::call([&columns, &table] { open_text_columns(columns, table.relid); });
  for (Oid leaf : table.leaves) {
    TextScan scan;
    pg::call([&] { open_text_scan(columns, scan, leaf, snapshot); });
    for (;;) {
      batch.clear();
      bool more = pg::call([&] { return text_batch(columns, scan, batch, &hash, written.rows); });
      writer.append(batch.data(), batch.size());
      trim_text_batch(batch);
      pg::check_for_interrupts();
      if (!more) break;
    }
    pg::call([&scan] { close_text_scan(scan); });
  }
  pg::call([&columns] { close_text_columns(columns); });
  written.stored_bytes = writer.end_table(hash.hex()).stored_bytes;
  return written;
}

// The snapshot name an archive records: the file's name without .pgdbsnap (22023 when that is no
// snapshot name, so that snapshot_import can take it as it is).
std::string snapshot_name_of(const std::string& file_name) {
  std::string name = file_name;
  const std::string suffix(archive::file_suffix);
  if (name.size() > suffix.size() &&
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
    name.resize(name.size() - suffix.size());
  bool usable = !name.empty() && name.size() <= 200 && name.front() != '#';
  for (unsigned char ch : name)
    if (ch < 0x20 || ch == 0x7f) usable = false;
  if (!usable)
    throw Error(sqlstate::invalid_parameter_value,
                "archive file name \"" + file_name + "\" does not make a snapshot name",
                "The archive records its file name without .pgdbsnap as the name of its snapshot.",
                "Use 1 to 200 characters, not beginning with \"#\".");
  return name;
}

archive::Manifest manifest_of(pg::Spi& spi, const std::string& name,
                              const std::vector<CapturedTable>& tables,
                              archive::Compression compression, std::optional<std::string> note) {
  archive::Manifest manifest;
  spi.execute(
      "SELECT (extract(epoch FROM pg_catalog.clock_timestamp()) OPERATOR(pg_catalog.*) "
      "1000000)::pg_catalog.int8, pg_catalog.current_database()::pg_catalog.text, "
      "pg_catalog.current_setting('server_version'), "
      "pg_catalog.current_setting('server_version_num')::pg_catalog.int4, "
      "(SELECT extversion FROM pg_catalog.pg_extension WHERE extname OPERATOR(pg_catalog.=) "
      "'pgdb_tools')");
  manifest.snapshot_name = name;
  manifest.taken_at_us = spi.get_int64(0, 0).value();
  manifest.database = spi.get_text(0, 1);
  manifest.server_version = spi.get_text(0, 2).value();
  manifest.server_version_num = static_cast<std::uint32_t>(spi.get_int64(0, 3).value());
  manifest.extension_version = spi.get_text(0, 4).value_or("");
  manifest.note = std::move(note);
  manifest.created_by = current_user_name();
  manifest.encoding = GetDatabaseEncodingName();
  manifest.compression = compression;
  for (const CapturedTable& table : tables)
    manifest.tables.push_back({table.source.schema, table.source.name, table.definition});
  return manifest;
}

std::optional<Datum> optional_arg(FunctionCallInfo fcinfo, int n) {
  return PG_ARGISNULL(n) ? std::nullopt : std::optional(PG_GETARG_DATUM(n));
}

}  // namespace

}  // namespace pgdb::snapshots

using namespace pgdb;
using namespace pgdb::snapshots;

PGDB_FUNCTION(pgdb_tools_archive_create) {
  pg::SearchPath trusted(pg::trusted_search_path);
  if (PG_ARGISNULL(0)) throw Error(sqlstate::invalid_parameter_value, "path must not be NULL");
  std::string path = pg::text_to_string(PG_GETARG_DATUM(0));
  std::string method = PG_ARGISNULL(3) ? "zstd" : pg::text_to_string(PG_GETARG_DATUM(3));
  std::optional<archive::Compression> compression = archive::compression_from_name(method);
  if (!compression)
    throw Error(sqlstate::invalid_parameter_value, "unknown compression \"" + method + "\"", {},
                "Use 'zstd', 'lz4' or 'none'.");
  std::optional<std::string> note;
  if (!PG_ARGISNULL(4)) note = pg::text_to_string(PG_GETARG_DATUM(4));
  archive::require_file_privilege(true, "write an archive file");
  archive::ConfinedFile file(path);
  const std::string name = snapshot_name_of(file.name());

  pg::Spi spi;
  const PinWording wording{"archive_create", "archive"};
  std::vector<Oid> relids =
      collect_tables(spi, optional_arg(fcinfo, 1), optional_arg(fcinfo, 2), wording);
  PinnedTables pinned(spi, relids, wording);
  const std::vector<CapturedTable>& tables = pinned.tables();
  archive::Manifest manifest = manifest_of(spi, name, tables, *compression, std::move(note));

  archive::AtomicFile sink(file);
  archive::PgSha256 sha;
  archive::WriterOptions options;
  options.compression = *compression;
  archive::ArchiveWriter writer(sink, sha, manifest, options);
  std::string batch;
  batch.reserve(copy_text_batch_bytes + (64u << 10));
  for (std::size_t i = 0; i < tables.size(); ++i) {
    WrittenTable written = write_table(writer, tables[i], pinned.snapshot(), batch);
    if (written.rows >= progress_rows)
      pg::notice("archive \"" + file.name() + "\": wrote " + tables[i].source.quoted() + " (" +
                 std::to_string(i + 1) + " of " + std::to_string(tables.size()) + "), " +
                 std::to_string(written.rows) + " rows, " +
                 megabytes(static_cast<std::int64_t>(written.stored_bytes)));
  }
  writer.finish();
  sink.commit();
  return pg::string_to_text(file.full_path());
}
