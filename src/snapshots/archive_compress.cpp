#include "snapshots/archive_compress.hpp"

#include <lz4.h>
#include <zstd.h>

#include <string>

#include "snapshots/archive_records.hpp"
#include "core/error.hpp"
#include "core/pg_free.hpp"

namespace pgdb::archive {

namespace {
// zstd level 1, not zstd's own default of 3: on COPY text of the benchmark's table it compresses
// 1 MB chunks twice as fast as level 3 and no worse (docs/archives.md, Speed).
constexpr int zstd_default_level = 1;
constexpr int lz4_default_acceleration = 1;
}  // namespace

struct Compressor::Contexts {
  ZSTD_CCtx* zstd = nullptr;
  ~Contexts() { ZSTD_freeCCtx(zstd); }
};

Compressor::Compressor(Compression method, int level)
    : method_(method), level_(level), contexts_(std::make_unique<Contexts>()) {
  if (method == Compression::zstd) {
    if (level_ == 0) level_ = zstd_default_level;
    if (level_ < 1 || level_ > ZSTD_maxCLevel())
      throw Error(
          sqlstate::invalid_parameter_value,
          "zstd compression level must be between 1 and " + std::to_string(ZSTD_maxCLevel()));
    contexts_->zstd = ZSTD_createCCtx();
    if (contexts_->zstd == nullptr)
      throw Error(sqlstate::out_of_memory, "out of memory for a zstd compression context");
  } else if (method == Compression::lz4) {
    if (level_ == 0) level_ = lz4_default_acceleration;
    if (level_ < 1 || level_ > 65537)
      throw Error(sqlstate::invalid_parameter_value,
                  "lz4 acceleration must be between 1 and 65537");
  }
}

Compressor::~Compressor() = default;

std::size_t Compressor::bound(std::size_t raw_size) const noexcept {
  switch (method_) {
    case Compression::zstd:
      return ZSTD_compressBound(raw_size);
    case Compression::lz4:
      return static_cast<std::size_t>(LZ4_compressBound(static_cast<int>(raw_size)));
    case Compression::none:
      break;
  }
  return 0;
}

std::size_t Compressor::compress(std::string_view raw, char* out) const {
  std::size_t size = 0;
  if (method_ == Compression::zstd) {
    size =
        ZSTD_compressCCtx(contexts_->zstd, out, bound(raw.size()), raw.data(), raw.size(), level_);
    if (ZSTD_isError(size))
      throw Error(sqlstate::internal_error,
                  std::string("zstd compression failed: ") + ZSTD_getErrorName(size));
  } else if (method_ == Compression::lz4) {
    int written = LZ4_compress_fast(raw.data(), out, static_cast<int>(raw.size()),
                                    static_cast<int>(bound(raw.size())), level_);
    if (written <= 0) throw Error(sqlstate::internal_error, "lz4 compression failed");
    size = static_cast<std::size_t>(written);
  }
  return size < raw.size() ? size : 0;
}

struct Decompressor::Contexts {
  ZSTD_DCtx* zstd = nullptr;
  ~Contexts() { ZSTD_freeDCtx(zstd); }
};

Decompressor::Decompressor() : contexts_(std::make_unique<Contexts>()) {}
Decompressor::~Decompressor() = default;

void Decompressor::decompress(Compression method, std::string_view stored, char* out,
                              std::size_t raw_size, std::uint64_t offset) {
  std::size_t size = 0;
  if (method == Compression::zstd) {
    if (contexts_->zstd == nullptr) contexts_->zstd = ZSTD_createDCtx();
    if (contexts_->zstd == nullptr)
      throw Error(sqlstate::out_of_memory, "out of memory for a zstd decompression context");
    size = ZSTD_decompressDCtx(contexts_->zstd, out, raw_size, stored.data(), stored.size());
    if (ZSTD_isError(size))
      damaged(offset,
              std::string("a chunk does not decompress (zstd: ") + ZSTD_getErrorName(size) + ")");
  } else if (method == Compression::lz4) {
    int written = LZ4_decompress_safe(stored.data(), out, static_cast<int>(stored.size()),
                                      static_cast<int>(raw_size));
    if (written < 0) damaged(offset, "a chunk does not decompress (lz4)");
    size = static_cast<std::size_t>(written);
  } else {
    throw Error(sqlstate::internal_error, "decompress called for an uncompressed chunk");
  }
  if (size != raw_size)
    damaged(offset, "a chunk decompresses to " + std::to_string(size) + " bytes, not the " +
                        std::to_string(raw_size) + " it declares");
}

}  // namespace pgdb::archive
