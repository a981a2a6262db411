// snapshot_export(name, path, compression): a snapshot's stored copies as one archive file under
// pgdb_tools.archive_directory. Each copy is read by a heap scan with each column's output
// function (copy_text_pg.hpp), in batches of COPY text built in pg::call frames and handed to
// the writer outside them; the file appears under its name only once it is complete and on disk.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "pg/catalog.hpp"
#include "pg/datum.hpp"
#include "pg/guard.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"
#include "snapshots/files_pg.hpp"
#include "snapshots/archive_path.hpp"
#include "snapshots/archive_writer.hpp"
#include "snapshots/copy_text_pg.hpp"
#include "snapshots/store_pg.hpp"

extern "C" {
#include "access/heapam.h"
#include "access/tableam.h"
#include "executor/tuptable.h"
#include "mb/pg_wchar.h"
#include "storage/lmgr.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
}

namespace pgdb::snapshots {

namespace {

archive::Manifest manifest_of(pg::Spi& spi, const std::vector<StoredTable>& items,
                              archive::Compression compression) {
  archive::Manifest manifest;
  spi.execute(
      "SELECT c.name, (extract(epoch FROM c.created_at) OPERATOR(pg_catalog.*) "
      "1000000)::pg_catalog.int8, "
      "c.note, c.tags::pg_catalog.text[], pg_catalog.current_database()::pg_catalog.text, "
      "pg_catalog.current_setting('server_version'), "
      "pg_catalog.current_setting('server_version_num')::pg_catalog.int4, "
      "(SELECT extversion FROM pg_catalog.pg_extension WHERE extname OPERATOR(pg_catalog.=) "
      "'pgdb_tools') FROM pgdb_tools.snapshot_catalog c WHERE c.snapshot_id "
      "OPERATOR(pg_catalog.=) $1",
      {pg::Param::int8(items.front().snapshot_id)});
  if (spi.row_count() == 0)
    throw Error(sqlstate::undefined_object, "the snapshot was dropped while it was exported");
  manifest.snapshot_name = spi.get_text(0, 0).value();
  manifest.taken_at_us = spi.get_int64(0, 1).value();
  manifest.note = spi.get_text(0, 2);
  bool is_null = false;
  Datum tags = spi.value(0, 3, is_null);
  if (!is_null) manifest.tags = pg::text_array_values(tags, "tags");
  manifest.database = spi.get_text(0, 4);
  manifest.server_version = spi.get_text(0, 5).value();
  manifest.server_version_num = static_cast<std::uint32_t>(spi.get_int64(0, 6).value());
  manifest.extension_version = spi.get_text(0, 7).value_or("");
  manifest.created_by = items.front().created_by;
  manifest.encoding = GetDatabaseEncodingName();
  manifest.compression = compression;
  for (const StoredTable& item : items)
    manifest.tables.push_back(
        {item.source_schema, item.source_name, to_json_text(item.definition)});
  return manifest;
}

// Writes one stored copy's rows into the writer's current table; returns how many.
std::uint64_t write_copy(archive::ArchiveWriter& writer, Oid copy, std::string& batch) {
  TextColumns columns;
  TextScan scan;
  pg::call([&columns, &scan, copy] {
    open_text_columns(columns, copy);
    open_text_scan(columns, scan, copy, GetActiveSnapshot());
  });
  std::uint64_t rows = 0;
  for (;;) {
    batch.clear();
    bool more = pg::call([&] { return text_batch(columns, scan, batch, nullptr, rows); });
    writer.append(batch.data(), batch.size());
    trim_text_batch(batch);
    pg::check_for_interrupts();
    if (!more) break;
  }
  pg::call([&columns, &scan] {
    close_text_scan(scan);
    close_text_columns(columns);
  });
  return rows;
}

}  // namespace

}  // namespace pgdb::snapshots

using namespace pgdb;
using namespace pgdb::snapshots;

PGDB_FUNCTION(pgdb_tools_snapshot_export) {
  pg::SearchPath trusted(pg::trusted_search_path);
  if (PG_ARGISNULL(0)) throw Error(sqlstate::invalid_parameter_value, "name must not be NULL");
  std::string name = pg::text_to_string(PG_GETARG_DATUM(0));
  std::string path =
      PG_ARGISNULL(1) ? archive::default_file_name(name) : pg::text_to_string(PG_GETARG_DATUM(1));
  std::string method = PG_ARGISNULL(2) ? "zstd" : pg::text_to_string(PG_GETARG_DATUM(2));
  std::optional<archive::Compression> compression = archive::compression_from_name(method);
  if (!compression)
    throw Error(sqlstate::invalid_parameter_value, "unknown compression \"" + method + "\"", {},
                "Use 'zstd', 'lz4' or 'none'.");
  archive::require_file_privilege(true, "export a snapshot to a file");

  pg::Spi spi;
  int total = 0;
  std::vector<StoredTable> items = readable_items(spi, name, total);
  if (static_cast<int>(items.size()) < total)
    throw Error(sqlstate::insufficient_privilege,
                "permission denied to export snapshot \"" + name + "\"",
                "You may read " + std::to_string(items.size()) + " of its " +
                    std::to_string(total) + " tables.",
                "An export holds every table of the snapshot; its creator or a superuser can "
                "export it.");
  archive::ConfinedFile file(path);
  pg::AsExtensionOwner as_owner(spi);
  archive::Manifest manifest = manifest_of(spi, items, *compression);
  std::vector<Oid> copies;
  for (const StoredTable& item : items) {
    Oid storage = copy_relid(item);
    if (!OidIsValid(storage))
      throw Error(
          sqlstate::undefined_table,
          "stored copy " + item.storage_quoted() + " of snapshot \"" + name + "\" is missing", {},
          "snapshot_verify() reports the state of each copy.");
    if (!pg::lock_relation_if_exists(storage, AccessShareLock))
      throw Error(sqlstate::undefined_object,
                  "snapshot \"" + name + "\" was dropped while this call waited for it");
    copies.push_back(storage);
  }

  archive::AtomicFile sink(file);
  archive::PgSha256 sha;
  archive::WriterOptions options;
  options.compression = *compression;
  archive::ArchiveWriter writer(sink, sha, manifest, options);
  std::string batch;
  batch.reserve(copy_text_batch_bytes + (64u << 10));
  for (std::size_t i = 0; i < items.size(); ++i) {
    writer.begin_table();
    std::uint64_t rows = write_copy(writer, copies[i], batch);
    if (static_cast<std::int64_t>(rows) != items[i].rows)
      throw Error(sqlstate::data_corrupted,
                  "stored copy of " + items[i].source_quoted() + " holds " + std::to_string(rows) +
                      " rows, the snapshot recorded " + std::to_string(items[i].rows),
                  {}, "snapshot_verify() tells which copies changed.");
    const archive::TableSummary& summary = writer.end_table(items[i].content_hash);
    if (rows >= progress_rows)
      pg::notice("snapshot \"" + name + "\": exported " + items[i].source_quoted() + " (" +
                 std::to_string(i + 1) + " of " + std::to_string(items.size()) + "), " +
                 std::to_string(rows) + " rows, " +
                 megabytes(static_cast<std::int64_t>(summary.stored_bytes)));
  }
  writer.finish();
  sink.commit();
  return pg::string_to_text(file.full_path());
}
