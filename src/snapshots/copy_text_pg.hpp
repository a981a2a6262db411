// Rows as COPY text, the form archive files hold (docs/archive-format.md): the heap scan shared by
// snapshot_export (a stored copy's rows) and archive_create (live rows, hashed in the same pass as
// snapshot_create would hash them, row_hash_pg.hpp). Every value goes through its type's output
// function, except text, varchar, char(n) and the integer types, whose text is written straight
// from the value (what their output functions return, without the copy and the strlen).
// Plain PostgreSQL state, released by the rollback when an ERROR ends the call; every function
// here runs inside pg::call.
#pragma once

#include <cstdint>
#include <string>

#include "pg/postgres.hpp"
#include "snapshots/row_hash_pg.hpp"

extern "C" {
#include "access/tableam.h"
#include "utils/rel.h"
#include "utils/snapshot.h"
}

namespace pgdb::snapshots {

// COPY text of this many bytes is handed to the archive writer at a time.
inline constexpr std::size_t copy_text_batch_bytes = 1u << 20;

// After a batch that one long row made larger than this, the batch's buffer is given back: it
// would otherwise stay as large as the largest row for the rest of the call.
inline void trim_text_batch(std::string& batch) {
  if (batch.capacity() <= 2 * copy_text_batch_bytes) return;
  std::string().swap(batch);
  batch.reserve(copy_text_batch_bytes + (64u << 10));
}

// How one column's values become text.
enum class TextForm : char { output, text, int2, int4, int8 };

// The live (not dropped) columns of a table, in its column order; the table stays open (its
// descriptor holds the names) until close_text_columns.
struct TextColumns {
  Relation table = nullptr;
  int count = 0;
  const char** names = nullptr;
  RowHashColumn* hash = nullptr;
  TextForm* form = nullptr;
  MemoryContext per_batch = nullptr;
};

// One table (or leaf partition) being read: attnums[i] is its column of live column i (partitions
// may order their columns differently, or hold dropped ones).
struct TextScan {
  Relation relation = nullptr;
  TableScanDesc scan = nullptr;
  TupleTableSlot* slot = nullptr;
  AttrNumber* attnums = nullptr;
};

void open_text_columns(TextColumns& columns, Oid relid);
void close_text_columns(TextColumns& columns);
void open_text_scan(const TextColumns& columns, TextScan& scan, Oid relid, Snapshot snapshot);
void close_text_scan(TextScan& scan);

// Appends rows as COPY text to out until it holds copy_text_batch_bytes, adding each row to hash
// when hash is not null; false once the scan is done.
bool text_batch(TextColumns& columns, TextScan& scan, std::string& out, ContentHash* hash,
                std::uint64_t& rows);

}  // namespace pgdb::snapshots
