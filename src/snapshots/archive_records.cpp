#include "snapshots/archive_records.hpp"

#include <cstring>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "core/error.hpp"
#include "core/pg_free.hpp"

namespace pgdb::archive {

std::string_view compression_name(Compression method) noexcept {
  switch (method) {
    case Compression::none:
      return "none";
    case Compression::zstd:
      return "zstd";
    case Compression::lz4:
      return "lz4";
  }
  return "unknown";
}

std::optional<Compression> compression_from_name(std::string_view name) noexcept {
  for (Compression method : {Compression::none, Compression::zstd, Compression::lz4})
    if (name == compression_name(method)) return method;
  return std::nullopt;
}

void put_u16(unsigned char* out, std::uint16_t value) noexcept {
  for (int i = 0; i < 2; ++i) out[i] = static_cast<unsigned char>(value >> (8 * i));
}
void put_u32(unsigned char* out, std::uint32_t value) noexcept {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<unsigned char>(value >> (8 * i));
}
void put_u64(unsigned char* out, std::uint64_t value) noexcept {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<unsigned char>(value >> (8 * i));
}
std::uint16_t get_u16(const unsigned char* in) noexcept {
  return static_cast<std::uint16_t>(in[0] | (in[1] << 8));
}
std::uint32_t get_u32(const unsigned char* in) noexcept {
  std::uint32_t value = 0;
  for (int i = 3; i >= 0; --i) value = (value << 8) | in[i];
  return value;
}
std::uint64_t get_u64(const unsigned char* in) noexcept {
  std::uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | in[i];
  return value;
}

std::uint64_t checksum(std::string_view a, std::string_view b, std::string_view c) {
  XXH64_state_t state;
  XXH64_reset(&state, 0);
  for (std::string_view part : {a, b, c})
    if (!part.empty()) XXH64_update(&state, part.data(), part.size());
  return XXH64_digest(&state);
}

namespace {
std::string_view bytes(const unsigned char* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}
std::string version_text(std::uint16_t major, std::uint16_t minor) {
  return std::to_string(major) + "." + std::to_string(minor);
}
}  // namespace

void encode_header(unsigned char out[header_size]) {
  std::memcpy(out, file_magic, sizeof file_magic);
  put_u16(out + 8, format_major);
  put_u16(out + 10, format_minor);
  put_u32(out + 12, 0);
  put_u64(out + 16, checksum(bytes(out, 16)));
}

Header decode_header(const unsigned char in[header_size], bool verify_checksum) {
  if (std::memcmp(in, file_magic, sizeof file_magic) != 0)
    throw Error(sqlstate::data_corrupted, "file is not a pgdb_tools archive",
                "Its first 8 bytes are not the archive magic number.",
                "Archives are the files snapshot_export and archive_create write.");
  if (verify_checksum && get_u64(in + 16) != checksum(bytes(in, 16)))
    damaged(0, "the header checksum does not match");
  Header header{get_u16(in + 8), get_u16(in + 10)};
  if (header.major > format_major)
    throw Error(sqlstate::feature_not_supported,
                "archive format version " + version_text(header.major, header.minor) +
                    " is newer than this reader supports (" +
                    version_text(format_major, format_minor) + ")",
                "A new major version changes the layout in ways older readers cannot follow.",
                "Read it with the newer pgdb_tools (or pgdb-archive) that wrote it.");
  if (header.major < format_major) damaged(8, "format major version 0 does not exist");
  if (get_u32(in + 12) != 0)
    unsupported("archive sets header flags this reader does not know", header.minor);
  return header;
}

void encode_section_header(unsigned char out[section_header_size], SectionKind kind,
                           std::string_view part1, std::string_view part2) {
  put_u16(out, static_cast<std::uint16_t>(kind));
  put_u16(out + 2, 0);
  put_u32(out + 4, static_cast<std::uint32_t>(part1.size() + part2.size()));
  put_u64(out + 8, checksum(bytes(out, 8), part1, part2));
}

SectionHeader decode_section_header(const unsigned char in[section_header_size]) noexcept {
  return {get_u16(in), get_u16(in + 2), get_u32(in + 4), get_u64(in + 8)};
}

void encode_chunk_prefix(unsigned char out[chunk_prefix_size], const ChunkPrefix& prefix) noexcept {
  put_u32(out, prefix.table);
  put_u32(out + 4, prefix.sequence);
  put_u32(out + 8, prefix.raw_length);
  put_u32(out + 12, prefix.rows);
  out[16] = static_cast<unsigned char>(prefix.compression);
  out[17] = out[18] = out[19] = 0;
}

ChunkPrefix decode_chunk_prefix(std::string_view payload, std::uint64_t offset,
                                std::uint16_t minor) {
  if (payload.size() < chunk_prefix_size) damaged(offset, "a chunk is shorter than its prefix");
  const auto* in = reinterpret_cast<const unsigned char*>(payload.data());
  ChunkPrefix prefix{get_u32(in), get_u32(in + 4), get_u32(in + 8), get_u32(in + 12),
                     Compression::none};
  if (in[16] > static_cast<unsigned char>(Compression::lz4))
    unsupported(
        "chunk uses compression method " + std::to_string(in[16]) + ", unknown to this reader",
        minor);
  prefix.compression = static_cast<Compression>(in[16]);
  if (in[17] != 0 || in[18] != 0 || in[19] != 0)
    damaged(offset + 17, "a chunk's reserved bytes are set");
  std::size_t stored = payload.size() - chunk_prefix_size;
  if (prefix.raw_length == 0 || prefix.raw_length > limits::chunk_raw)
    damaged(offset + 8, "a chunk declares " + std::to_string(prefix.raw_length) +
                            " bytes of rows (1 to " + std::to_string(limits::chunk_raw) +
                            " allowed)");
  if (prefix.compression == Compression::none ? stored != prefix.raw_length
                                              : stored > prefix.raw_length)
    damaged(offset, "a chunk's stored length " + std::to_string(stored) +
                        " does not fit its declared length " + std::to_string(prefix.raw_length));
  if (prefix.rows > prefix.raw_length)
    damaged(offset + 12, "a chunk declares more rows than bytes");
  return prefix;
}

void damaged(std::uint64_t offset, const std::string& what) {
  throw Error(sqlstate::data_corrupted, "archive is damaged: " + what,
              "At byte " + std::to_string(offset) + " of the file.",
              "The file changed after it was written; use another copy of it.");
}

void truncated(std::uint64_t offset, const std::string& what) {
  throw Error(sqlstate::data_corrupted, "archive is truncated: the file ends inside " + what,
              "It ends at byte " + std::to_string(offset) + ".",
              "The file was cut short (an interrupted copy or a full disk); use another copy of "
              "it.");
}

void unsupported(const std::string& what, std::uint16_t minor) {
  throw Error(sqlstate::feature_not_supported, what,
              "The archive is format " + version_text(format_major, minor) +
                  "; this reader reads format " + version_text(format_major, format_minor) + ".",
              "Read it with a newer pgdb_tools (or pgdb-archive).");
}

}  // namespace pgdb::archive
