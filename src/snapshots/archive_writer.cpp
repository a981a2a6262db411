#include "snapshots/archive_writer.hpp"

#include <algorithm>
#include <cstring>
#include <string_view>

#include "snapshots/archive_records.hpp"
#include "core/error.hpp"
#include "core/pg_free.hpp"

namespace pgdb::archive {

namespace {
[[noreturn]] void misuse(const std::string& what) {
  throw Error(sqlstate::internal_error, "archive writer: " + what);
}
}  // namespace

ArchiveWriter::ArchiveWriter(ByteSink& sink, Sha256& sha, Manifest manifest, WriterOptions options)
    : sink_(sink),
      sha_(sha),
      manifest_(std::move(manifest)),
      options_(options),
      compressor_(options.compression, options.level) {
  if (options_.chunk_size < limits::chunk_size_min || options_.chunk_size > limits::chunk_raw)
    throw Error(sqlstate::invalid_parameter_value,
                "archive chunk size must be between " + std::to_string(limits::chunk_size_min) +
                    " and " + std::to_string(limits::chunk_raw) + " bytes");
  manifest_.compression = options_.compression;
  std::string payload = encode_manifest(manifest_);
  raw_ = std::make_unique<char[]>(options_.chunk_size);
  if (options_.compression != Compression::none)
    stored_ = std::make_unique<char[]>(compressor_.bound(options_.chunk_size));
  unsigned char header[header_size];
  encode_header(header);
  unsigned char section[section_header_size];
  encode_section_header(section, SectionKind::manifest, payload);
  write(header, sizeof header);
  write(section, sizeof section);
  write(payload.data(), payload.size());
}

ArchiveWriter::~ArchiveWriter() = default;

// Starts one public step: a step that throws leaves broken_ set, and the writer refuses every
// later call, since the sink may hold part of a section.
void ArchiveWriter::enter() {
  if (broken_) misuse("an earlier call failed; the archive is incomplete");
  if (finished_) misuse("the archive is already finished");
  broken_ = true;
}

void ArchiveWriter::write(const void* data, std::size_t size, bool hash) {
  if (size == 0) return;
  sink_.write(data, size);
  if (hash) sha_.update(data, size);
  offset_ += size;
}

TableSummary& ArchiveWriter::current() { return summary_.tables[*table_]; }

std::size_t ArchiveWriter::begin_table() {
  enter();
  if (table_) misuse("begin_table before the previous table's end_table");
  if (summary_.tables.size() == manifest_.tables.size())
    misuse("begin_table beyond the manifest's " + std::to_string(manifest_.tables.size()) +
           " tables");
  table_ = summary_.tables.size();
  summary_.tables.emplace_back();
  ends_with_newline_ = true;
  broken_ = false;
  return *table_;
}

void ArchiveWriter::append(const void* data, std::size_t size) {
  enter();
  if (!table_) misuse("append outside a table");
  const char* in = static_cast<const char*>(data);
  while (size > 0) {
    std::size_t take = std::min(size, options_.chunk_size - used_);
    std::memcpy(raw_.get() + used_, in, take);
    used_ += take;
    in += take;
    size -= take;
    if (used_ == options_.chunk_size) flush_full();
  }
  broken_ = false;
}

// A full buffer becomes a chunk up to its last row end (all of it when one row fills it); the
// rest starts the next chunk.
void ArchiveWriter::flush_full() {
  std::string_view buffered(raw_.get(), used_);
  std::size_t last_end = buffered.rfind('\n');
  std::size_t size = last_end == std::string_view::npos ? used_ : last_end + 1;
  emit_chunk(size);
  std::memmove(raw_.get(), raw_.get() + size, used_ - size);
  used_ -= size;
}

namespace {

// How many rows end in a chunk (its newlines), by memchr: a byte-by-byte count showed in
// profiles of snapshot_export.
std::uint32_t row_ends(std::string_view raw) {
  std::uint32_t count = 0;
  const char* at = raw.data();
  const char* end = at + raw.size();
  while (at < end) {
    const void* found = std::memchr(at, '\n', static_cast<std::size_t>(end - at));
    if (found == nullptr) break;
    ++count;
    at = static_cast<const char*>(found) + 1;
  }
  return count;
}

}  // namespace

void ArchiveWriter::emit_chunk(std::size_t size) {
  TableSummary& table = current();
  if (table.chunks >= UINT32_MAX)
    throw Error(sqlstate::feature_not_supported, "a table has too many chunks for one archive", {},
                "Use a larger chunk size.");
  std::string_view raw(raw_.get(), size);
  ChunkPrefix prefix{static_cast<std::uint32_t>(*table_), static_cast<std::uint32_t>(table.chunks),
                     static_cast<std::uint32_t>(size), row_ends(raw), Compression::none};
  std::string_view stored = raw;
  if (options_.compression != Compression::none) {
    std::size_t compressed = compressor_.compress(raw, stored_.get());
    if (compressed > 0) {
      stored = {stored_.get(), compressed};
      prefix.compression = options_.compression;
    }
  }
  unsigned char prefix_bytes[chunk_prefix_size];
  encode_chunk_prefix(prefix_bytes, prefix);
  std::string_view prefix_view(reinterpret_cast<const char*>(prefix_bytes), sizeof prefix_bytes);
  unsigned char section[section_header_size];
  encode_section_header(section, SectionKind::chunk, prefix_view, stored);
  if (table.chunks == 0) table.first_chunk_offset = offset_;
  write(section, sizeof section);
  write(prefix_bytes, sizeof prefix_bytes);
  write(stored.data(), stored.size());
  ++table.chunks;
  table.rows += prefix.rows;
  table.raw_bytes += size;
  table.stored_bytes += stored.size();
  ends_with_newline_ = raw.back() == '\n';
}

const TableSummary& ArchiveWriter::end_table(std::string content_hash) {
  if (!table_) misuse("end_table outside a table");
  if (content_hash.size() > limits::content_hash || content_hash.find('\0') != std::string::npos)
    throw Error(sqlstate::invalid_parameter_value, "a content hash must be at most " +
                                                       std::to_string(limits::content_hash) +
                                                       " bytes without zero bytes");
  enter();
  if (used_ > 0) emit_chunk(used_);
  used_ = 0;
  if (!ends_with_newline_)
    misuse("the rows of table " + std::to_string(*table_) + " end inside a row");
  TableSummary& table = current();
  table.content_hash = std::move(content_hash);
  table_.reset();
  broken_ = false;
  return table;
}

void ArchiveWriter::finish() {
  enter();
  if (table_) misuse("finish before end_table");
  if (summary_.tables.size() != manifest_.tables.size())
    misuse("finish after " + std::to_string(summary_.tables.size()) + " of " +
           std::to_string(manifest_.tables.size()) + " tables");
  std::string payload = encode_summary(summary_);
  unsigned char section[section_header_size];
  encode_section_header(section, SectionKind::summary, payload);
  std::uint64_t summary_offset = offset_;
  write(section, sizeof section);
  write(payload.data(), payload.size());
  unsigned char trailer[trailer_size];
  std::memcpy(trailer, trailer_magic, sizeof trailer_magic);
  put_u64(trailer + 8, summary_offset);
  write(trailer, 16);
  std::array<unsigned char, sha256_size> digest = sha_.finish();
  std::memcpy(trailer + 16, digest.data(), digest.size());
  write(trailer + 16, sha256_size, false);
  broken_ = false;
  finished_ = true;
}

}  // namespace pgdb::archive
