// snapshot_import(path, name): an archive under pgdb_tools.archive_directory back as a new
// snapshot of the caller. Nothing in the file is trusted: column types and collations are
// resolved by PostgreSQL's parsers and written anew, the recorded definition is rebuilt as the
// caller's (adopted_definition), rows are parsed by COPY's parser and loaded in batches, and each
// copy's content hash is computed again in the same pass and must equal the archive's.
#include <exception>
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "pg/compat.hpp"
#include "pg/datum.hpp"
#include "pg/guard.hpp"
#include "pg/jsonb.hpp"
#include "pg/quote.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"
#include "snapshots/adopt_plan.hpp"
#include "snapshots/open_archive_pg.hpp"
#include "snapshots/store_pg.hpp"

extern "C" {
#include "access/table.h"
#include "catalog/namespace.h"
#include "commands/copy.h"
#include "nodes/makefuncs.h"
#include "parser/parse_relation.h"
#include "parser/parse_type.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
}

namespace pgdb::snapshots {

namespace {

// The reader COPY's data source callback takes its bytes from (the callback has no argument), and
// the codec's error it met, rethrown once COPY's ERROR is caught.
archive::ArchiveReader* loading = nullptr;
std::exception_ptr load_failure;

extern "C" int read_archive_rows(void* out, int minread, int maxread) {
  int total = 0;
  bool failed = false;
  try {
    while (total < minread || total == 0) {
      std::size_t n = loading->read_data(static_cast<char*>(out) + total,
                                         static_cast<std::size_t>(maxread - total));
      if (n == 0) break;
      total += static_cast<int>(n);
    }
  } catch (...) {
    load_failure = std::current_exception();
    failed = true;
  }
  if (failed)
    ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED), errmsg("the archive could not be read")));
  return total;
}

// Loads the reader's current table into relid (load_copy_text), adding its rows to hash; the
// rows loaded.
std::uint64_t load_rows(archive::ArchiveReader& reader, Oid relid, const std::string& encoding,
                        ContentHash& hash) {
  loading = &reader;
  load_failure = nullptr;
  std::uint64_t rows = 0;
  try {
    rows = pg::call([relid, &encoding, &hash] {
      std::uint64_t loaded = load_copy_text(relid, read_archive_rows, encoding, hash);
      CommandCounterIncrement();
      return loaded;
    });
  } catch (const pg::PgException&) {
    loading = nullptr;
    if (load_failure) std::rethrow_exception(std::exchange(load_failure, nullptr));
    throw;
  }
  loading = nullptr;
  return rows;
}

// One column of a recorded definition, its type and collation parsed by PostgreSQL and written
// anew (an unknown type: 42704).
std::string column_definition(pg::Spi& spi, const Json& column) {
  const Json* name = column.find("name");
  const Json* type = column.find("type");
  if (name == nullptr || type == nullptr || name->type != Json::Type::string ||
      type->type != Json::Type::string)
    throw Error(sqlstate::data_corrupted, "the archive records a column without name or type");
  const char* type_text = type->text.c_str();
  char* rendered = pg::call([type_text] {
    Oid type_oid = InvalidOid;
    int32 typmod = -1;
    pg::compat::parse_type_name(type_text, &type_oid, &typmod);
    return format_type_with_typemod(type_oid, typmod);
  });
  std::string out = pg::quote_identifier(name->text) + " " + rendered;
  const Json* collation = column.find("collation");
  if (collation != nullptr && collation->type == Json::Type::string) {
    const char* collation_text = collation->text.c_str();
    Oid collation_oid = pg::call([collation_text] {
      return get_collation_oid(pg::compat::qualified_name_list(collation_text), false);
    });
    spi.execute(
        "SELECT pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.' "
        "OPERATOR(pg_catalog.||) pg_catalog.quote_ident(c.collname) FROM pg_catalog.pg_collation "
        "c JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.collnamespace WHERE "
        "c.oid OPERATOR(pg_catalog.=) $1",
        {pg::Param::oid(collation_oid)});
    out += " COLLATE " + spi.get_text(0, 0).value();
  }
  return out;
}

std::string copy_columns_of(pg::Spi& spi, const Json& definition) {
  const Json* columns = definition.find("columns");
  if (columns == nullptr || columns->type != Json::Type::array || columns->items.empty())
    throw Error(sqlstate::data_corrupted, "the archive records a table without columns");
  std::string out;
  for (const Json& column : columns->items) {
    if (!out.empty()) out += ", ";
    out += column_definition(spi, column);
  }
  return out;
}

// One table as imported: its snapshot_items row.
struct ImportedTable {
  int ordinal = 0;
  const archive::TableEntry* entry = nullptr;
  std::uint64_t rows = 0;
  std::int64_t bytes = 0;
  std::string content_hash;
  std::string definition;  // jsonb text
};

// Step 2, as the extension's owner: 42710 when the caller has a snapshot of that name, 42501 when
// it is a name another role's schedule takes.
void claim_name(pg::Spi& spi, const std::string& name, Oid creator) {
  if (!own_snapshots_named(spi, name, creator, true).empty())
    throw Error(sqlstate::duplicate_object, "you already have a snapshot named \"" + name + "\"",
                {}, "Pass another name: snapshot_import(path, name => '...').");
  if (scheduled_by_others(spi, name, creator))
    throw Error(sqlstate::insufficient_privilege,
                "snapshot name \"" + name + "\" belongs to another role's schedule", {},
                "Pass another name: snapshot_import(path, name => '...').");
}

// Step 3, as the extension's owner: the reader's current table (manifest table `index`) as copy
// s<id>_<ordinal>, its columns written anew, its rows loaded and hashed again, its definition
// rebuilt as the caller's.
ImportedTable import_table(pg::Spi& spi, archive::OpenArchive& archive, std::size_t index,
                           std::int64_t id, const std::vector<std::string>& readers,
                           const std::string& user_name) {
  ImportedTable imported;
  imported.entry = &archive.manifest().tables[index];
  imported.ordinal = static_cast<int>(index + 1);
  spi.execute("SELECT $1::pg_catalog.jsonb", {pg::Param::text(imported.entry->definition)});
  bool is_null = false;
  Json recorded = pg::jsonb_to_json(spi.value(0, 0, is_null));
  Oid storage = create_copy(spi, id, imported.ordinal, copy_columns_of(spi, recorded), readers);
  ContentHash hash;
  imported.rows = load_rows(archive.reader, storage, archive.manifest().encoding, hash);
  imported.content_hash = hash.hex();
  std::vector<std::string> dropped;
  Json definition = adopted_definition(recorded, copy_column_facts(storage), user_name,
                                       pg::server_keywords, dropped);
  imported.definition = to_json_text(definition);
  spi.execute("SELECT pg_catalog.pg_total_relation_size($1)", {pg::Param::oid(storage)});
  imported.bytes = spi.get_int64(0, 0).value();
  return imported;
}

std::string table_label(const archive::TableEntry& table) {
  return pg::quote_identifier(table.schema) + "." + pg::quote_identifier(table.name);
}

// Step 4, once the whole file was read and checked: XX001 unless every table loaded has the
// content hash the archive records.
void require_recorded_hashes(archive::OpenArchive& archive,
                             const std::vector<ImportedTable>& imported) {
  const archive::Summary& summary = archive.reader.finish();
  for (std::size_t i = 0; i < imported.size(); ++i)
    if (summary.tables[i].content_hash != imported[i].content_hash)
      throw Error(
          sqlstate::data_corrupted,
          "archive \"" + archive.file.full_path() + "\": the rows of " +
              table_label(archive.manifest().tables[i]) + " do not have the recorded content hash",
          "recorded " + summary.tables[i].content_hash + ", loaded " + imported[i].content_hash,
          "Nothing was imported. The archive may come from a server whose types render "
          "values differently; archive_verify() checks the file itself.");
}

// Step 5: the catalog rows, written last. A concurrent import of this name since claim_name:
// ON CONFLICT waits for it, then 42710.
void record_import(pg::Spi& spi, std::int64_t id, const std::string& name,
                   const archive::Manifest& manifest, const std::string& user_name, Oid creator,
                   const std::vector<ImportedTable>& imported) {
  spi.execute(
      "INSERT INTO pgdb_tools.snapshot_catalog (snapshot_id, name, created_at, created_by, "
      "created_by_oid, note, tags, created_on) "
      "VALUES ($1, $2, pg_catalog.to_timestamp($3::pg_catalog.float8 / 1000000), $4, $5, $6, $7, "
      "$8) ON CONFLICT (created_by_oid, created_on, name) WHERE created_by_oid "
      "OPERATOR(pg_catalog.<>) 0 DO NOTHING RETURNING snapshot_id",
      {pg::Param::int8(id), pg::Param::text(name), pg::Param::int8(manifest.taken_at_us),
       pg::Param::text(user_name), pg::Param::oid(creator),
       manifest.note ? pg::Param::text(*manifest.note) : pg::Param::null(TEXTOID),
       pg::Param{TEXTARRAYOID, pg::strings_to_text_array(manifest.tags), false},
       pg::Param::text(std::to_string(GetSystemIdentifier()))});
  if (spi.row_count() == 0)
    throw Error(sqlstate::duplicate_object, "you already have a snapshot named \"" + name + "\"",
                {}, "Pass another name: snapshot_import(path, name => '...').");
  for (const ImportedTable& table : imported)
    spi.execute(
        "INSERT INTO pgdb_tools.snapshot_items (snapshot_id, ordinal, source_relid, source_schema, "
        "  source_name, storage_name, rows, bytes, content_hash, definition) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb)",
        {pg::Param::int8(id), pg::Param::int4(table.ordinal), pg::Param::oid(InvalidOid),
         pg::Param::text(table.entry->schema), pg::Param::text(table.entry->name),
         pg::Param::text("s" + std::to_string(id) + "_" + std::to_string(table.ordinal)),
         pg::Param::int8(static_cast<std::int64_t>(table.rows)), pg::Param::int8(table.bytes),
         pg::Param::text(table.content_hash), pg::Param::text(table.definition)});
}

}  // namespace

}  // namespace pgdb::snapshots

using namespace pgdb;
using namespace pgdb::snapshots;

// snapshot_import: open the archive, claim the name, import each table, check the content
// hashes, record.
PGDB_FUNCTION(pgdb_tools_snapshot_import) {
  pg::SearchPath trusted(pg::trusted_search_path);
  archive::OpenArchive archive(fcinfo, 0, "import a snapshot from a file");
  const archive::Manifest& manifest = archive.manifest();
  std::string name =
      PG_ARGISNULL(1) ? manifest.snapshot_name : pg::text_to_string(PG_GETARG_DATUM(1));
  require_snapshot_name(name);
  if (manifest.tables.empty())
    throw Error(sqlstate::data_corrupted,
                "archive \"" + archive.file.full_path() + "\" holds no table");

  pg::Spi spi;
  const std::string user_name = current_user_name();
  const Oid creator = GetUserId();
  pg::ExtensionOwner owner(spi);
  rebind_creators(spi, owner);
  const std::string& owner_name = owner.name();
  pg::ActingAs as_owner = owner.acting();
  claim_name(spi, name, creator);
  const std::int64_t id = allocate_snapshot_id(spi);
  std::vector<std::string> readers;
  if (user_name != owner_name) readers.push_back(user_name);
  std::vector<ImportedTable> imported;
  while (std::optional<std::size_t> index = archive.reader.next_table()) {
    imported.push_back(import_table(spi, archive, *index, id, readers, user_name));
    const ImportedTable& table = imported.back();
    if (table.rows >= progress_rows)
      pg::notice("snapshot \"" + name + "\": imported " + table_label(*table.entry) + " (" +
                 std::to_string(table.ordinal) + " of " + std::to_string(manifest.tables.size()) +
                 "), " + std::to_string(table.rows) + " rows, " + megabytes(table.bytes));
  }
  require_recorded_hashes(archive, imported);
  record_import(spi, id, name, manifest, user_name, creator, imported);
  PG_RETURN_INT64(id);
}
