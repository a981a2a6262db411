// archive_verify's check of a table's content hash: the rows of the archive, parsed back into
// values with each recorded column type's input function (as snapshot_import's COPY does) and
// hashed as snapshot_create hashes a table (row_hash_pg.hpp), without loading them anywhere.
#pragma once

#include <optional>
#include <string>

#include "snapshots/archive_reader.hpp"

namespace pgdb::snapshots {

// The content hash of the reader's current table, or why it could not be computed here (a column
// type this database lacks, a value its type refuses, another encoding it cannot convert from).
struct RowsHash {
  std::optional<std::string> hex;
  std::string unchecked;   // when hex is absent
  bool malformed = false;  // and the rows do not fit the recorded columns (XX001)
};

// Reads the current table's rows to their end (next_data until empty). The codec's errors (a bad
// checksum, a truncated file) propagate; PostgreSQL's errors while parsing are rolled back and
// reported in the result, the rest of the rows then only read.
RowsHash hash_archive_rows(archive::ArchiveReader& reader, const archive::TableEntry& table,
                           const std::string& encoding);

}  // namespace pgdb::snapshots
