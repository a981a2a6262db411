// Reads an archive (docs/archive-format.md) from a byte source as a stream, in bounded memory:
// one chunk at a time, every checksum verified before its bytes are used, every length checked
// against the format's limits before anything of that size is allocated. A damaged, truncated or
// newer file throws a pgdb::Error (XX001 data_corrupted, 0A000 feature_not_supported). PG-free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "snapshots/archive_compress.hpp"
#include "snapshots/archive_format.hpp"
#include "snapshots/archive_records.hpp"

namespace pgdb::archive {

struct ReaderOptions {
  // false skips the XXH64 and SHA-256 comparisons (every other check stays): for the fuzzer, which
  // could otherwise not reach past them. Never for archives read on a user's behalf.
  bool verify_checksums = true;
};

// The source with the offset read so far and the SHA-256 of what was read (when sha is given).
class ArchiveInput {
 public:
  ArchiveInput(ByteSource& source, Sha256* sha) : source_(source), sha_(sha) {}
  // Exactly size bytes, or truncated() naming what.
  void read_exact(void* out, std::size_t size, const std::string& what, bool hash = true);
  // size bytes into buffer (resized), grown only as the bytes arrive: a length that lies costs
  // at most about twice what the file holds.
  void read_into(std::string& buffer, std::size_t size, const std::string& what);
  bool at_end();
  std::uint64_t offset() const noexcept { return offset_; }
  void moved_to(std::uint64_t offset) noexcept { offset_ = offset; }

 private:
  ByteSource& source_;
  Sha256* sha_;
  std::uint64_t offset_ = 0;
};

// Use: construct (reads the header and the manifest); for each table, next_table and then
// next_data (or read_data) until it is empty; finish checks the summary, every count and the
// trailer's SHA-256. next_table and finish skip (and verify) rows not read.
class ArchiveReader {
 public:
  ArchiveReader(ByteSource& source, Sha256& sha, ReaderOptions options = {});
  ~ArchiveReader();
  ArchiveReader(const ArchiveReader&) = delete;
  ArchiveReader& operator=(const ArchiveReader&) = delete;

  std::uint16_t minor_version() const noexcept { return minor_; }
  const Manifest& manifest() const noexcept { return manifest_; }

  // Moves to the next manifest table: its position, or nullopt after the last (the summary and
  // trailer are then checked).
  std::optional<std::size_t> next_table();
  // The current table's next piece of COPY text (one chunk's rows; valid until the next call);
  // empty at the end of its rows. Pieces need not end at a row's end.
  std::string_view next_data();
  // Copies up to max bytes of the current table's rows into out; 0 at their end.
  std::size_t read_data(void* out, std::size_t max);
  // Reads to the end of the file and checks it; the summary as stored (its counts equal those
  // counted in the chunks).
  const Summary& finish();
  // What the chunks read so far hold for a table.
  const TableSummary& counted(std::size_t table) const { return counted_.at(table); }

 private:
  enum class Pending { none, chunk, summary };
  void read_section();
  void take_chunk();
  void end_table();
  void check_summary();
  void check_trailer(std::uint64_t summary_offset);
  std::string table_label(std::size_t table) const;

  ArchiveInput input_;
  Sha256& sha_;
  ReaderOptions options_;
  std::uint16_t minor_ = 0;
  Manifest manifest_;
  std::string payload_;
  std::uint64_t section_offset_ = 0;
  Pending pending_ = Pending::none;
  ChunkPrefix prefix_;
  Decompressor decompressor_;
  std::string raw_;
  std::string_view view_;
  std::optional<std::size_t> table_;
  bool ends_with_newline_ = true;
  std::vector<TableSummary> counted_;
  Summary summary_;
  bool done_ = false;
};

// The manifest and summary of an archive read from its two ends (header, manifest; trailer,
// summary), without its rows: for listings. Checks their checksums but not the file's SHA-256 nor
// its chunks (read it with ArchiveReader for that).
struct Listing {
  std::uint16_t minor_version = 0;
  Manifest manifest;
  Summary summary;
};
Listing read_listing(SeekableSource& source);

}  // namespace pgdb::archive
