// The archive file format of pgdb_tools (.pgdbsnap), version 1.0: its constants, limits and
// records, and the byte sink, byte source and SHA-256 the encoder and decoder are given.
// docs/archive-format.md is the specification; this header follows it. PG-free, so that the
// server, the command-line tool and the unit tests share one codec.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgdb::archive {

inline constexpr std::uint16_t format_major = 1;
inline constexpr std::uint16_t format_minor = 0;

// 0x89 (a high bit: 7-bit transfers), "PGDBA", CR LF (newline conversion damages it).
inline constexpr unsigned char file_magic[8] = {0x89, 'P', 'G', 'D', 'B', 'A', '\r', '\n'};
inline constexpr unsigned char trailer_magic[8] = {'P', 'G', 'D', 'B', '-', 'E', 'N', 'D'};

inline constexpr std::size_t header_size = 24;          // magic, major, minor, flags, XXH64
inline constexpr std::size_t section_header_size = 16;  // kind, flags, length, XXH64
inline constexpr std::size_t chunk_prefix_size = 20;    // table, sequence, raw, rows, method
inline constexpr std::size_t trailer_size = 48;         // magic, summary offset, SHA-256
inline constexpr std::size_t sha256_size = 32;

enum class SectionKind : std::uint16_t { manifest = 1, chunk = 2, summary = 3 };
// Section flag: a reader that does not know the section's kind skips it.
inline constexpr std::uint16_t section_optional = 0x0001;
// Record field tags with this bit must be understood: an unknown one refuses the archive.
inline constexpr std::uint16_t field_critical = 0x8000;

enum class Compression : std::uint8_t { none = 0, zstd = 1, lz4 = 2 };
enum class RowFormat : std::uint8_t { copy_text = 1 };

// "none", "zstd", "lz4"; and back (nullopt for any other name).
std::string_view compression_name(Compression method) noexcept;
std::optional<Compression> compression_from_name(std::string_view name) noexcept;

// Declared limits: a writer refuses to exceed them and a reader refuses a file that does, before
// allocating anything of that size.
namespace limits {
inline constexpr std::size_t metadata_section = 64u << 20;  // manifest, summary, optional ones
inline constexpr std::size_t chunk_raw = 16u << 20;         // one chunk's rows, uncompressed
inline constexpr std::size_t chunk_size_min = 4u << 10;     // the writer's smallest chunk target
inline constexpr std::size_t chunk_size_default = 1u << 20;
inline constexpr std::size_t name = 1024;  // names, versions, encoding, role, tag, database
inline constexpr std::size_t note = 1u << 20;
inline constexpr std::size_t definition = 8u << 20;
inline constexpr std::size_t content_hash = 128;
}  // namespace limits

// One table as recorded: its definition is the JSON text snapshot_create records (columns with
// types, constraints, indexes, sequences), opaque to the codec.
struct TableEntry {
  std::string schema;
  std::string name;
  std::string definition;
  bool operator==(const TableEntry&) const = default;
};

// What is known before any row is written: the snapshot's metadata and its tables, in the order
// their rows follow.
struct Manifest {
  std::string snapshot_name;
  std::int64_t taken_at_us = 0;  // microseconds since 1970-01-01 00:00 UTC
  std::optional<std::string> note;
  std::optional<std::string> created_by;
  std::optional<std::string> database;
  std::vector<std::string> tags;
  std::string server_version;            // SHOW server_version
  std::uint32_t server_version_num = 0;  // SHOW server_version_num
  std::string extension_version;
  std::string encoding = "UTF8";  // the server encoding of every text in the archive
  RowFormat row_format = RowFormat::copy_text;
  Compression compression = Compression::zstd;  // what the writer was asked for
  std::vector<TableEntry> tables;
  bool operator==(const Manifest&) const = default;
};

// What is known once a table's rows are written; one per manifest table, in the same order.
struct TableSummary {
  std::uint64_t rows = 0;
  std::uint64_t chunks = 0;
  std::uint64_t raw_bytes = 0;           // the rows' COPY text
  std::uint64_t stored_bytes = 0;        // after compression
  std::uint64_t first_chunk_offset = 0;  // 0 for a table without rows
  std::string content_hash;              // as snapshot_create computes it; opaque to the codec
  bool operator==(const TableSummary&) const = default;
};

struct Summary {
  std::vector<TableSummary> tables;
  bool operator==(const Summary&) const = default;
};

// Where the writer puts the file's bytes (a file, a pipe, memory).
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual void write(const void* data, std::size_t size) = 0;
};

// Where the reader takes them from: read returns up to size bytes, 0 only at the end.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual std::size_t read(void* data, std::size_t size) = 0;
};

// A source that can also seek (a file): lets the archive be listed without reading its rows.
class SeekableSource : public ByteSource {
 public:
  virtual std::uint64_t size() = 0;
  virtual void seek(std::uint64_t offset) = 0;
};

// SHA-256 of the whole file: the server gives PostgreSQL's cryptohash, the tools OpenSSL's.
class Sha256 {
 public:
  virtual ~Sha256() = default;
  virtual void update(const void* data, std::size_t size) = 0;
  virtual std::array<unsigned char, sha256_size> finish() = 0;
};

}  // namespace pgdb::archive
