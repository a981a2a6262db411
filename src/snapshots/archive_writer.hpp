// Writes an archive (docs/archive-format.md) to a byte sink as the rows arrive, in bounded memory:
// one chunk of rows and its compressed form at a time, whatever the table's size. PG-free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "snapshots/archive_compress.hpp"
#include "snapshots/archive_format.hpp"

namespace pgdb::archive {

struct WriterOptions {
  Compression compression = Compression::zstd;
  int level = 0;  // 0: the method's default (zstd 1, lz4 acceleration 1)
  // Rows per chunk, in bytes of COPY text (limits::chunk_size_min to limits::chunk_raw); a chunk
  // ends at a row's end unless one row alone fills it.
  std::size_t chunk_size = limits::chunk_size_default;
};

// Use: construct (writes the header and the manifest), then for each manifest table in order
// begin_table, append its rows, end_table; then finish (the summary and the trailer). A call out
// of that order, or any call after one that threw, throws.
class ArchiveWriter {
 public:
  ArchiveWriter(ByteSink& sink, Sha256& sha, Manifest manifest, WriterOptions options = {});
  ~ArchiveWriter();
  ArchiveWriter(const ArchiveWriter&) = delete;
  ArchiveWriter& operator=(const ArchiveWriter&) = delete;

  // Starts the next table of the manifest; returns its position there.
  std::size_t begin_table();
  // The current table's rows in PostgreSQL's COPY text format (each row ends with LF), in pieces
  // of any size: a piece may end inside a row.
  void append(const void* data, std::size_t size);
  // Ends the current table's rows (they must end with a whole row) and records its content hash.
  const TableSummary& end_table(std::string content_hash);
  // Writes the summary and the trailer; the archive is complete once the sink has them.
  void finish();

  const Manifest& manifest() const noexcept { return manifest_; }
  std::uint64_t bytes_written() const noexcept { return offset_; }

 private:
  void enter();
  void write(const void* data, std::size_t size, bool hash = true);
  void flush_full();
  void emit_chunk(std::size_t size);
  TableSummary& current();

  ByteSink& sink_;
  Sha256& sha_;
  Manifest manifest_;
  WriterOptions options_;
  Compressor compressor_;
  std::unique_ptr<char[]> raw_;
  std::unique_ptr<char[]> stored_;
  std::size_t used_ = 0;
  std::optional<std::size_t> table_;  // the table being written
  bool ends_with_newline_ = true;
  Summary summary_;
  std::uint64_t offset_ = 0;
  bool finished_ = false;
  bool broken_ = false;
};

}  // namespace pgdb::archive
