#include "snapshots/archive_reader.hpp"

#include <algorithm>
#include <cstring>

#include "core/error.hpp"
#include "core/pg_free.hpp"

namespace pgdb::archive {

void ArchiveInput::read_exact(void* out, std::size_t size, const std::string& what, bool hash) {
  auto* bytes = static_cast<unsigned char*>(out);
  std::size_t done = 0;
  while (done < size) {
    std::size_t got = source_.read(bytes + done, size - done);
    if (got == 0) {
      offset_ += done;
      truncated(offset_, what);
    }
    done += got;
  }
  if (hash && sha_ != nullptr) sha_->update(bytes, size);
  offset_ += size;
}

void ArchiveInput::read_into(std::string& buffer, std::size_t size, const std::string& what) {
  constexpr std::size_t step = 64u << 10;
  if (buffer.size() > size) buffer.resize(size);
  std::size_t filled = 0;
  while (filled < size) {
    if (buffer.size() <= filled)
      buffer.resize(std::min(size, std::max(2 * buffer.size(), filled + step)));
    std::size_t want = buffer.size() - filled;
    read_exact(buffer.data() + filled, want, what);
    filled += want;
  }
}

bool ArchiveInput::at_end() {
  unsigned char byte;
  return source_.read(&byte, 1) == 0;
}

namespace {

std::string kind_name(std::uint16_t kind) {
  switch (static_cast<SectionKind>(kind)) {
    case SectionKind::manifest:
      return "the manifest";
    case SectionKind::chunk:
      return "a chunk";
    case SectionKind::summary:
      return "the summary";
  }
  return "a section of kind " + std::to_string(kind);
}

bool known_kind(std::uint16_t kind) {
  return kind >= static_cast<std::uint16_t>(SectionKind::manifest) &&
         kind <= static_cast<std::uint16_t>(SectionKind::summary);
}

// Reads the section at the input's offset into payload (its header's length, checked against the
// limits before anything is allocated) and verifies its checksum.
SectionHeader read_one_section(ArchiveInput& input, std::string& payload, bool verify,
                               std::uint16_t minor) {
  std::uint64_t offset = input.offset();
  unsigned char bytes[section_header_size];
  input.read_exact(bytes, sizeof bytes, "a section header (the summary and trailer are missing)");
  SectionHeader header = decode_section_header(bytes);
  std::size_t limit = header.kind == static_cast<std::uint16_t>(SectionKind::chunk)
                          ? chunk_prefix_size + limits::chunk_raw
                          : limits::metadata_section;
  if (header.length > limit)
    damaged(offset + 4, kind_name(header.kind) + " declares " + std::to_string(header.length) +
                            " bytes, more than the " + std::to_string(limit) + " allowed");
  input.read_into(payload, header.length, kind_name(header.kind));
  std::string_view head(reinterpret_cast<const char*>(bytes), 8);
  if (verify && header.checksum != checksum(head, payload))
    damaged(offset, "the checksum of " + kind_name(header.kind) + " does not match");
  if ((header.flags & ~section_optional) != 0)
    unsupported(
        "archive section flags " + std::to_string(header.flags) + " are unknown to this reader",
        minor);
  return header;
}

}  // namespace

ArchiveReader::ArchiveReader(ByteSource& source, Sha256& sha, ReaderOptions options)
    : input_(source, &sha), sha_(sha), options_(options) {
  unsigned char header[header_size];
  input_.read_exact(header, sizeof header, "the header");
  minor_ = decode_header(header, options_.verify_checksums).minor;
  read_section();
}

ArchiveReader::~ArchiveReader() = default;

std::string ArchiveReader::table_label(std::size_t table) const {
  const TableEntry& entry = manifest_.tables[table];
  return "table " + entry.schema + "." + entry.name;
}

// Reads the next section that is not an optional one this reader does not know. The manifest is
// decoded here (only as the first section); a chunk's prefix and place are checked.
void ArchiveReader::read_section() {
  bool first = section_offset_ == 0;
  for (;;) {
    section_offset_ = input_.offset();
    SectionHeader header = read_one_section(input_, payload_, options_.verify_checksums, minor_);
    std::uint64_t at = section_offset_ + section_header_size;
    std::string_view payload(payload_.data(), header.length);
    if (!known_kind(header.kind)) {
      if ((header.flags & section_optional) != 0) continue;
      unsupported("archive holds " + kind_name(header.kind) + ", unknown to this reader", minor_);
    }
    auto kind = static_cast<SectionKind>(header.kind);
    if (first != (kind == SectionKind::manifest))
      damaged(section_offset_, first ? "the first section is not the manifest"
                                     : "a second manifest follows the first");
    if (kind == SectionKind::manifest) {
      manifest_ = decode_manifest(payload, at, minor_);
      counted_.assign(manifest_.tables.size(), TableSummary{});
      return;
    }
    if (kind == SectionKind::summary) {
      pending_ = Pending::summary;
      return;
    }
    prefix_ = decode_chunk_prefix(payload, at, minor_);
    if (prefix_.table >= manifest_.tables.size())
      damaged(at, "a chunk names table " + std::to_string(prefix_.table) + " of a manifest of " +
                      std::to_string(manifest_.tables.size()));
    if (table_ ? prefix_.table < *table_ : false)
      damaged(at, "a chunk of " + table_label(prefix_.table) + " follows the rows of " +
                      table_label(*table_));
    if (prefix_.sequence != counted_[prefix_.table].chunks)
      damaged(at + 4, "chunk " + std::to_string(prefix_.sequence) + " of " +
                          table_label(prefix_.table) + " is where chunk " +
                          std::to_string(counted_[prefix_.table].chunks) + " belongs");
    pending_ = Pending::chunk;
    return;
  }
}

// Turns the pending chunk (of the current table) into view_ and counts it.
void ArchiveReader::take_chunk() {
  std::uint64_t at = section_offset_ + section_header_size;
  std::string_view stored(payload_.data() + chunk_prefix_size, payload_.size() - chunk_prefix_size);
  std::string_view data = stored;
  if (prefix_.compression != Compression::none) {
    if (raw_.size() < prefix_.raw_length) raw_.resize(prefix_.raw_length);
    decompressor_.decompress(prefix_.compression, stored, raw_.data(), prefix_.raw_length,
                             at + chunk_prefix_size);
    data = {raw_.data(), prefix_.raw_length};
  }
  auto rows = static_cast<std::uint64_t>(std::count(data.begin(), data.end(), '\n'));
  if (rows != prefix_.rows)
    damaged(at + 12, "a chunk of " + table_label(prefix_.table) + " holds " + std::to_string(rows) +
                         " rows, not the " + std::to_string(prefix_.rows) + " it declares");
  TableSummary& table = counted_[prefix_.table];
  if (table.chunks == 0) table.first_chunk_offset = section_offset_;
  ++table.chunks;
  table.rows += rows;
  table.raw_bytes += data.size();
  table.stored_bytes += stored.size();
  ends_with_newline_ = data.back() == '\n';
  view_ = data;
  pending_ = Pending::none;
}

std::string_view ArchiveReader::next_data() {
  if (!view_.empty()) {
    std::string_view piece = view_;
    view_ = {};
    return piece;
  }
  if (!table_ || done_) return {};
  if (pending_ == Pending::none) read_section();
  if (pending_ != Pending::chunk || prefix_.table != *table_) return {};
  take_chunk();
  std::string_view piece = view_;
  view_ = {};
  return piece;
}

std::size_t ArchiveReader::read_data(void* out, std::size_t max) {
  if (view_.empty()) view_ = next_data();
  std::size_t size = std::min(max, view_.size());
  if (size > 0) std::memcpy(out, view_.data(), size);
  view_.remove_prefix(size);
  return size;
}

void ArchiveReader::end_table() {
  view_ = {};
  while (!next_data().empty()) {
  }
  if (!ends_with_newline_)
    damaged(section_offset_, "the rows of " + table_label(*table_) + " end inside a row");
  ends_with_newline_ = true;
}

std::optional<std::size_t> ArchiveReader::next_table() {
  if (done_) return std::nullopt;
  if (table_) end_table();
  std::size_t next = table_ ? *table_ + 1 : 0;
  if (next < manifest_.tables.size()) return table_ = next;
  if (pending_ == Pending::none) read_section();
  if (pending_ != Pending::summary)
    damaged(section_offset_, "a chunk follows the last table's rows");
  check_summary();
  done_ = true;
  return std::nullopt;
}

const Summary& ArchiveReader::finish() {
  while (next_table()) {
  }
  return summary_;
}

void ArchiveReader::check_summary() {
  std::uint64_t summary_offset = section_offset_;
  summary_ = decode_summary(payload_, summary_offset + section_header_size, minor_);
  if (summary_.tables.size() != manifest_.tables.size())
    damaged(summary_offset, "the summary lists " + std::to_string(summary_.tables.size()) +
                                " tables, the manifest " + std::to_string(manifest_.tables.size()));
  static constexpr std::pair<std::uint64_t TableSummary::*, const char*> counts[] = {
      {&TableSummary::rows, "rows"},
      {&TableSummary::chunks, "chunks"},
      {&TableSummary::raw_bytes, "bytes of rows"},
      {&TableSummary::stored_bytes, "stored bytes"},
      {&TableSummary::first_chunk_offset, "as the offset of its first chunk"},
  };
  for (std::size_t i = 0; i < summary_.tables.size(); ++i) {
    counted_[i].content_hash = summary_.tables[i].content_hash;
    for (const auto& [field, name] : counts)
      if (summary_.tables[i].*field != counted_[i].*field)
        damaged(summary_offset, "the summary gives " + table_label(i) + " " +
                                    std::to_string(summary_.tables[i].*field) + " " + name +
                                    ", its chunks " + std::to_string(counted_[i].*field));
  }
  check_trailer(summary_offset);
}

void ArchiveReader::check_trailer(std::uint64_t summary_offset) {
  unsigned char trailer[trailer_size];
  input_.read_exact(trailer, 16, "the trailer");
  if (std::memcmp(trailer, trailer_magic, sizeof trailer_magic) != 0)
    damaged(input_.offset() - 16, "the trailer does not follow the summary");
  if (get_u64(trailer + 8) != summary_offset)
    damaged(input_.offset() - 8, "the trailer does not point at the summary");
  std::array<unsigned char, sha256_size> digest = sha_.finish();
  input_.read_exact(trailer + 16, sha256_size, "the trailer's SHA-256", false);
  if (options_.verify_checksums && std::memcmp(digest.data(), trailer + 16, sha256_size) != 0)
    damaged(input_.offset() - sha256_size, "the file's SHA-256 does not match its trailer");
  if (!input_.at_end()) damaged(input_.offset(), "bytes follow the trailer");
}

Listing read_listing(SeekableSource& source) {
  ArchiveInput input(source, nullptr);
  std::uint64_t size = source.size();
  if (size < header_size + 2 * section_header_size + trailer_size)
    truncated(size, "the header, manifest, summary and trailer");
  unsigned char header[header_size];
  input.read_exact(header, sizeof header, "the header");
  Listing listing;
  listing.minor_version = decode_header(header, true).minor;
  std::string payload;
  SectionHeader first = read_one_section(input, payload, true, listing.minor_version);
  if (first.kind != static_cast<std::uint16_t>(SectionKind::manifest))
    damaged(header_size, "the first section is not the manifest");
  listing.manifest =
      decode_manifest(payload, header_size + section_header_size, listing.minor_version);
  std::uint64_t data_start = input.offset();
  std::uint64_t trailer_offset = size - trailer_size;
  source.seek(trailer_offset);
  input.moved_to(trailer_offset);
  unsigned char trailer[16];
  input.read_exact(trailer, sizeof trailer, "the trailer");
  std::uint64_t summary_offset = get_u64(trailer + 8);
  if (std::memcmp(trailer, trailer_magic, sizeof trailer_magic) != 0 ||
      summary_offset < data_start || summary_offset > trailer_offset - section_header_size)
    damaged(trailer_offset, "the trailer is missing or does not point at a summary");
  source.seek(summary_offset);
  input.moved_to(summary_offset);
  SectionHeader summary = read_one_section(input, payload, true, listing.minor_version);
  if (summary.kind != static_cast<std::uint16_t>(SectionKind::summary) ||
      input.offset() != trailer_offset)
    damaged(summary_offset, "the trailer does not point at the summary");
  listing.summary =
      decode_summary(payload, summary_offset + section_header_size, listing.minor_version);
  if (listing.summary.tables.size() != listing.manifest.tables.size())
    damaged(summary_offset, "the summary and the manifest list different numbers of tables");
  return listing;
}

}  // namespace pgdb::archive
