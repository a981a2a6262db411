// The byte-level pieces of the archive format shared by its writer and reader: little-endian
// integers, XXH64 checksums, the header and section framing, the manifest and summary records
// (tagged fields), and the errors a damaged or newer file raises. PG-free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "snapshots/archive_format.hpp"

namespace pgdb::archive {

void put_u16(unsigned char* out, std::uint16_t value) noexcept;
void put_u32(unsigned char* out, std::uint32_t value) noexcept;
void put_u64(unsigned char* out, std::uint64_t value) noexcept;
std::uint16_t get_u16(const unsigned char* in) noexcept;
std::uint32_t get_u32(const unsigned char* in) noexcept;
std::uint64_t get_u64(const unsigned char* in) noexcept;

// XXH64 (seed 0) of the concatenation of up to three byte ranges.
std::uint64_t checksum(std::string_view a, std::string_view b = {}, std::string_view c = {});

// The file header.
struct Header {
  std::uint16_t major = format_major;
  std::uint16_t minor = format_minor;
};
void encode_header(unsigned char out[header_size]);
// Checks magic, checksum and version; throws for a file that is not an archive, is damaged, or
// has a major version this reader does not read.
Header decode_header(const unsigned char in[header_size], bool verify_checksum);

// A section's fixed header; the checksum covers its first 8 bytes and the payload.
struct SectionHeader {
  std::uint16_t kind = 0;
  std::uint16_t flags = 0;
  std::uint32_t length = 0;
  std::uint64_t checksum = 0;
};
// Writes the header of a section whose payload is the concatenation of the given parts.
void encode_section_header(unsigned char out[section_header_size], SectionKind kind,
                           std::string_view part1, std::string_view part2 = {});
SectionHeader decode_section_header(const unsigned char in[section_header_size]) noexcept;

// A chunk's fixed prefix, first in its payload, followed by the stored bytes.
struct ChunkPrefix {
  std::uint32_t table = 0;
  std::uint32_t sequence = 0;
  std::uint32_t raw_length = 0;
  std::uint32_t rows = 0;  // row terminators (LF) in the raw bytes
  Compression compression = Compression::none;
};
void encode_chunk_prefix(unsigned char out[chunk_prefix_size], const ChunkPrefix& prefix) noexcept;
// Throws for an unknown method, reserved bytes set, or lengths outside the limits.
ChunkPrefix decode_chunk_prefix(std::string_view payload, std::uint64_t offset,
                                std::uint16_t minor);

// The manifest and summary records. encode_* refuse (22023) values beyond the limits, so a writer
// never writes what a reader refuses; decode_* throw for anything malformed. offset: where the
// payload starts in the file, for messages.
std::string encode_manifest(const Manifest& manifest);
Manifest decode_manifest(std::string_view payload, std::uint64_t offset, std::uint16_t minor);
std::string encode_summary(const Summary& summary);
Summary decode_summary(std::string_view payload, std::uint64_t offset, std::uint16_t minor);

// Errors. damaged: XX001 (the file was changed after it was written, or is not an archive);
// truncated: XX001 naming what is missing; unsupported: 0A000 (written by a newer writer).
[[noreturn]] void damaged(std::uint64_t offset, const std::string& what);
[[noreturn]] void truncated(std::uint64_t offset, const std::string& what);
[[noreturn]] void unsupported(const std::string& what, std::uint16_t minor);

}  // namespace pgdb::archive
