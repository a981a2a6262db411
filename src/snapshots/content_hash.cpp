#include "snapshots/content_hash.hpp"

#include <cstring>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "core/pg_free.hpp"

namespace pgdb::snapshots {

namespace {

void append_u32(std::vector<unsigned char>& out, std::uint32_t value) {
  for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<unsigned char>(value >> shift));
}

}  // namespace

void ContentHash::begin_row() { row_.clear(); }

void ContentHash::add_null() { row_.push_back(0); }

void ContentHash::add_value(const void* data, std::size_t length) {
  row_.push_back(1);
  append_u32(row_, static_cast<std::uint32_t>(length));
  std::size_t at = row_.size();
  row_.resize(at + length);
  if (length > 0) std::memcpy(row_.data() + at, data, length);
}

void ContentHash::end_row() {
  XXH128_hash_t h = XXH3_128bits(row_.data(), row_.size());
  sum_ += (static_cast<unsigned __int128>(h.high64) << 64) | h.low64;
  ++rows_;
}

void ContentHash::merge(const ContentHash& other) {
  sum_ += other.sum_;
  rows_ += other.rows_;
}

std::string ContentHash::hex() const {
  static const char digits[] = "0123456789abcdef";
  std::string out(32, '0');
  unsigned __int128 value = sum_;
  for (int i = 31; i >= 0; --i) {
    out[i] = digits[static_cast<unsigned>(value & 0xf)];
    value >>= 4;
  }
  return out;
}

}  // namespace pgdb::snapshots
