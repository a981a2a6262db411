#include "snapshots/verify_rows_pg.hpp"

#include <exception>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "pg/compat.hpp"
#include "pg/guard.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"
#include "pg/subtransaction.hpp"
#include "snapshots/archive_rows.hpp"
#include "snapshots/row_hash_pg.hpp"

extern "C" {
#include "mb/pg_wchar.h"
#include "utils/memutils.h"
}

namespace pgdb::snapshots {

namespace {

// The recorded columns' types as this database reads them: plain PostgreSQL state in the
// subtransaction's memory.
struct ParsedColumns {
  int count = 0;
  RowHashColumn* hash = nullptr;
  FmgrInfo* input = nullptr;
  Oid* ioparam = nullptr;
  int32* typmod = nullptr;
  int encoding = -1;  // the archive's, when it differs from the database's
  MemoryContext per_batch = nullptr;
};

std::vector<std::string> recorded_types(pg::Spi& spi, const archive::TableEntry& table) {
  spi.execute(
      "SELECT c OPERATOR(pg_catalog.->>) 'type' FROM pg_catalog.jsonb_array_elements("
      "$1::pg_catalog.jsonb OPERATOR(pg_catalog.->) 'columns') c",
      {pg::Param::text(table.definition)});
  std::vector<std::string> types;
  for (std::uint64_t r = 0; r < spi.row_count(); ++r) {
    std::optional<std::string> type = spi.get_text(r, 0);
    if (!type) throw Error(sqlstate::data_corrupted, "the archive records a column without type");
    types.push_back(*type);
  }
  if (types.empty())
    throw Error(sqlstate::data_corrupted, "the archive records a table without columns");
  return types;
}

void parse_columns(ParsedColumns& c, const std::vector<std::string>& types,
                   const std::string& encoding) {
  c.count = static_cast<int>(types.size());
  pg::call([&c, &types, &encoding] {
    c.hash = static_cast<RowHashColumn*>(palloc0(sizeof(RowHashColumn) * c.count));
    c.input = static_cast<FmgrInfo*>(palloc0(sizeof(FmgrInfo) * c.count));
    c.ioparam = static_cast<Oid*>(palloc0(sizeof(Oid) * c.count));
    c.typmod = static_cast<int32*>(palloc0(sizeof(int32) * c.count));
    for (int i = 0; i < c.count; ++i) {
      Oid type = InvalidOid;
      pg::compat::parse_type_name(types[i].c_str(), &type, &c.typmod[i]);
      prepare_row_hash_column(c.hash[i], type);
      Oid function;
      getTypeInputInfo(type, &function, &c.ioparam[i]);
      fmgr_info(function, &c.input[i]);
    }
    int archive_encoding = pg_char_to_encoding(encoding.c_str());
    if (archive_encoding < 0)
      ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                      errmsg("the archive's encoding \"%s\" is unknown", encoding.c_str())));
    if (archive_encoding != GetDatabaseEncoding()) c.encoding = archive_encoding;
    c.per_batch = AllocSetContextCreate(CurrentMemoryContext, "pgdb_tools archive_verify",
                                        ALLOCSET_DEFAULT_SIZES);
  });
}

// One row into the hash. Runs inside pg::call, in c.per_batch.
void hash_row(ParsedColumns& c, const archive::CopyTextRows::Fields& fields, ContentHash& hash,
              std::uint64_t row) {
  if (static_cast<int>(fields.size()) != c.count)
    ereport(ERROR,
            (errcode(ERRCODE_DATA_CORRUPTED), errmsg("row %llu has %d fields, the table %d columns",
                                                     static_cast<unsigned long long>(row),
                                                     static_cast<int>(fields.size()), c.count)));
  hash.begin_row();
  for (int i = 0; i < c.count; ++i) {
    if (!fields[i]) {
      hash.add_null();
      continue;
    }
    char* text = const_cast<char*>(fields[i]->c_str());
    if (c.encoding >= 0)
      text = reinterpret_cast<char*>(pg_do_encoding_conversion(
          reinterpret_cast<unsigned char*>(text), static_cast<int>(fields[i]->size()), c.encoding,
          GetDatabaseEncoding()));
    Datum value = InputFunctionCall(&c.input[i], text, c.ioparam[i], c.typmod[i]);
    hash_column_value(hash, c.hash[i], value, false);
  }
  hash.end_row();
}

}  // namespace

RowsHash hash_archive_rows(archive::ArchiveReader& reader, const archive::TableEntry& table,
                           const std::string& encoding) {
  // Recorded types are written schema-qualified under this path, as snapshot_import reads them.
  pg::SearchPath trusted(pg::trusted_search_path);
  RowsHash result;
  std::exception_ptr codec_failure;
  bool rows_done = false;
  ContentHash hash;
  std::optional<pg::StepFailure> failure = pg::try_in_subtransaction([&] {
    pg::Spi spi;
    ParsedColumns columns;
    parse_columns(columns, recorded_types(spi, table), encoding);
    archive::CopyTextRows parser;
    std::uint64_t rows = 0;
    for (;;) {
      std::string_view data;
      try {
        data = reader.next_data();
      } catch (const Error&) {
        codec_failure = std::current_exception();
        return;
      }
      if (data.empty()) break;
      pg::call([&] {
        MemoryContext old = MemoryContextSwitchTo(columns.per_batch);
        parser.feed(data, [&](const archive::CopyTextRows::Fields& fields) {
          hash_row(columns, fields, hash, ++rows);
        });
        MemoryContextSwitchTo(old);
        MemoryContextReset(columns.per_batch);
      });
      pg::check_for_interrupts();
    }
    rows_done = true;
  });
  if (codec_failure) std::rethrow_exception(codec_failure);
  if (failure) {
    result.unchecked = failure->message;
    result.malformed = failure->sqlstate == sqlstate::data_corrupted;
    while (!rows_done && !reader.next_data().empty()) pg::check_for_interrupts();
    return result;
  }
  result.hex = hash.hex();
  return result;
}

}  // namespace pgdb::snapshots
