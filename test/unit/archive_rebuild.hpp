// Test-side surgery on archives: split a file into its sections, change them, and put it back
// together with every checksum, chunk offset and the SHA-256 made right again, so that a test
// reaches the check behind the checksums (an order, a count, a version).
#pragma once

#include <cstring>
#include <string>
#include <vector>

#include "archive_test_support.hpp"
#include "snapshots/archive_records.hpp"

namespace pgdb::archive::testing {

struct RawSection {
  std::uint16_t kind = 0;
  std::uint16_t flags = 0;
  std::string payload;
};

struct Parsed {
  std::string header;
  std::vector<RawSection> sections;
};

inline Parsed parse(const std::string& bytes) {
  Parsed parsed{bytes.substr(0, header_size), {}};
  std::size_t at = header_size;
  while (at + section_header_size <= bytes.size() - trailer_size) {
    const auto* in = reinterpret_cast<const unsigned char*>(bytes.data() + at);
    std::uint32_t length = get_u32(in + 4);
    parsed.sections.push_back(
        {get_u16(in), get_u16(in + 2), bytes.substr(at + section_header_size, length)});
    at += section_header_size + length;
  }
  return parsed;
}

inline RawSection chunk_section(std::uint32_t table, std::uint32_t sequence, std::string rows) {
  ChunkPrefix prefix{table, sequence, static_cast<std::uint32_t>(rows.size()),
                     static_cast<std::uint32_t>(std::count(rows.begin(), rows.end(), '\n')),
                     Compression::none};
  unsigned char bytes[chunk_prefix_size];
  encode_chunk_prefix(bytes, prefix);
  return {static_cast<std::uint16_t>(SectionKind::chunk), 0,
          std::string(reinterpret_cast<const char*>(bytes), sizeof bytes) + rows};
}

// The file again; fix_offsets rewrites the summary's first-chunk offsets to where chunks now are.
inline std::string assemble(const Parsed& parsed, bool fix_offsets = true) {
  std::string out = parsed.header;
  auto* header = reinterpret_cast<unsigned char*>(out.data());
  put_u64(header + 16, checksum(out.substr(0, 16)));
  std::vector<std::uint64_t> first_chunk;
  std::uint64_t summary_offset = 0;
  for (RawSection section : parsed.sections) {
    if (section.kind == static_cast<std::uint16_t>(SectionKind::chunk) &&
        section.payload.size() >= chunk_prefix_size) {
      std::uint32_t table = get_u32(reinterpret_cast<const unsigned char*>(section.payload.data()));
      if (first_chunk.size() <= table) first_chunk.resize(table + 1, 0);
      if (first_chunk[table] == 0) first_chunk[table] = out.size();
    }
    if (section.kind == static_cast<std::uint16_t>(SectionKind::summary)) {
      summary_offset = out.size();
      if (fix_offsets) {
        Summary summary = decode_summary(section.payload, 0, format_minor);
        for (std::size_t i = 0; i < summary.tables.size(); ++i)
          summary.tables[i].first_chunk_offset = i < first_chunk.size() ? first_chunk[i] : 0;
        section.payload = encode_summary(summary);
      }
    }
    unsigned char bytes[section_header_size];
    put_u16(bytes, section.kind);
    put_u16(bytes + 2, section.flags);
    put_u32(bytes + 4, static_cast<std::uint32_t>(section.payload.size()));
    put_u64(bytes + 8,
            checksum(std::string_view(reinterpret_cast<char*>(bytes), 8), section.payload));
    out.append(reinterpret_cast<char*>(bytes), sizeof bytes);
    out += section.payload;
  }
  unsigned char trailer[16];
  std::memcpy(trailer, trailer_magic, sizeof trailer_magic);
  put_u64(trailer + 8, summary_offset);
  out.append(reinterpret_cast<char*>(trailer), sizeof trailer);
  OpenSslSha256 sha;
  sha.update(out.data(), out.size());
  std::array<unsigned char, sha256_size> digest = sha.finish();
  out.append(reinterpret_cast<const char*>(digest.data()), digest.size());
  return out;
}

}  // namespace pgdb::archive::testing
