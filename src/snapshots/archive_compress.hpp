// Chunk compression for archives: zstd (libzstd) and lz4 (liblz4), with contexts kept across
// chunks. PG-free.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include "snapshots/archive_format.hpp"

namespace pgdb::archive {

class Compressor {
 public:
  // level: zstd's 1 to 19 or lz4's acceleration 1 to 65537; 0 means the method's default.
  Compressor(Compression method, int level);
  ~Compressor();
  Compressor(const Compressor&) = delete;
  Compressor& operator=(const Compressor&) = delete;

  Compression method() const noexcept { return method_; }
  // The output room compress needs for raw_size bytes.
  std::size_t bound(std::size_t raw_size) const noexcept;
  // Compresses raw into out (bound(raw.size()) bytes); returns the compressed size, or 0 when
  // the result would not be smaller than raw (the chunk is then stored as it is).
  std::size_t compress(std::string_view raw, char* out) const;

 private:
  struct Contexts;
  Compression method_;
  int level_;
  std::unique_ptr<Contexts> contexts_;
};

class Decompressor {
 public:
  Decompressor();
  ~Decompressor();
  Decompressor(const Decompressor&) = delete;
  Decompressor& operator=(const Decompressor&) = delete;

  // Decompresses stored into out, which holds exactly raw_size bytes; throws (damaged, at offset)
  // unless stored decodes to exactly raw_size bytes.
  void decompress(Compression method, std::string_view stored, char* out, std::size_t raw_size,
                  std::uint64_t offset);

 private:
  struct Contexts;
  std::unique_ptr<Contexts> contexts_;
};

}  // namespace pgdb::archive
