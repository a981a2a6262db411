// snapshot_export(name, path, compression): a snapshot's stored copies as one archive file under
// pgdb_tools.archive_directory. Each copy is read by a heap scan with each column's output
// function, in batches of COPY text built in plain-C-style pg::call frames and handed to the
// writer outside them; the file appears under its name only once it is complete and on disk.
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

// COPY text of this many bytes is handed to the writer at a time.
constexpr std::size_t batch_bytes = 1u << 20;

// A copy being read: plain PostgreSQL state, released by the rollback when an ERROR ends the call.
struct CopyScan {
  Relation relation = nullptr;
  TableScanDesc scan = nullptr;
  TupleTableSlot* slot = nullptr;
  FmgrInfo* output = nullptr;
  MemoryContext per_batch = nullptr;
  int natts = 0;
};

void open_scan(CopyScan& s, Oid relid) {
  s.relation = table_open(relid, AccessShareLock);
  TupleDesc desc = RelationGetDescr(s.relation);
  s.natts = desc->natts;
  s.output = static_cast<FmgrInfo*>(palloc0(sizeof(FmgrInfo) * (s.natts + 1)));
  for (int i = 0; i < s.natts; ++i) {
    Form_pg_attribute att = TupleDescAttr(desc, i);
    if (att->attisdropped) continue;
    Oid function;
    bool varlena;
    getTypeOutputInfo(att->atttypid, &function, &varlena);
    fmgr_info(function, &s.output[i]);
  }
  s.per_batch =
      AllocSetContextCreate(CurrentMemoryContext, "pgdb_tools export", ALLOCSET_DEFAULT_SIZES);
  s.slot = table_slot_create(s.relation, nullptr);
  s.scan = table_beginscan(s.relation, GetActiveSnapshot(), 0, nullptr);
}

// Appends rows as COPY text to out until it holds batch_bytes; false once the scan is done.
// Runs inside pg::call.
bool scan_batch(CopyScan& s, std::string& out, std::uint64_t& rows) {
  TupleDesc desc = RelationGetDescr(s.relation);
  MemoryContext old = MemoryContextSwitchTo(s.per_batch);
  bool more = true;
  while (out.size() < batch_bytes) {
    if (!table_scan_getnextslot(s.scan, ForwardScanDirection, s.slot)) {
      more = false;
      break;
    }
    slot_getallattrs(s.slot);
    bool first = true;
    for (int i = 0; i < s.natts; ++i) {
      if (TupleDescAttr(desc, i)->attisdropped) continue;
      if (!first) out.push_back('\t');
      first = false;
      if (s.slot->tts_isnull[i]) {
        archive::append_copy_null(out);
      } else {
        char* text = OutputFunctionCall(&s.output[i], s.slot->tts_values[i]);
        archive::append_copy_text(out, text, std::strlen(text));
      }
    }
    out.push_back('\n');
    ++rows;
  }
  MemoryContextSwitchTo(old);
  MemoryContextReset(s.per_batch);
  return more;
}

void close_scan(CopyScan& s) {
  table_endscan(s.scan);
  ExecDropSingleTupleTableSlot(s.slot);
  MemoryContextDelete(s.per_batch);
  pfree(s.output);
  table_close(s.relation, NoLock);
}

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

std::string megabytes(std::uint64_t bytes) {
  char buffer[32];
  snprintf(buffer, sizeof buffer, "%.1f MB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return buffer;
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
  batch.reserve(batch_bytes + (64u << 10));
  for (std::size_t i = 0; i < items.size(); ++i) {
    writer.begin_table();
    CopyScan scan;
    pg::call([&scan, &copies, i] { open_scan(scan, copies[i]); });
    std::uint64_t rows = 0;
    for (;;) {
      batch.clear();
      bool more = pg::call([&] { return scan_batch(scan, batch, rows); });
      writer.append(batch.data(), batch.size());
      pg::check_for_interrupts();
      if (!more) break;
    }
    pg::call([&scan] { close_scan(scan); });
    if (static_cast<std::int64_t>(rows) != items[i].rows)
      throw Error(sqlstate::data_corrupted,
                  "stored copy of " + items[i].source_quoted() + " holds " + std::to_string(rows) +
                      " rows, the snapshot recorded " + std::to_string(items[i].rows),
                  {}, "snapshot_verify() tells which copies changed.");
    const archive::TableSummary& summary = writer.end_table(items[i].content_hash);
    if (rows >= progress_rows)
      pg::notice("snapshot \"" + name + "\": exported " + items[i].source_quoted() + " (" +
                 std::to_string(i + 1) + " of " + std::to_string(items.size()) + "), " +
                 std::to_string(rows) + " rows, " + megabytes(summary.stored_bytes));
  }
  writer.finish();
  sink.commit();
  return pg::string_to_text(file.full_path());
}
