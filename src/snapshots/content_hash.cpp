#include "snapshots/content_hash.hpp"

#include <cstring>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "core/pg_free.hpp"

namespace pgdb::snapshots {

namespace {
bool carries_oids(std::uint32_t type) noexcept {
  if (type >= first_normal_object_id) return true;
  for (std::uint32_t alias : oid_alias_types)
    if (type == alias) return true;
  return false;
}
}  // namespace

bool hash_as_text(std::uint32_t base_type, std::uint32_t element_base_type) noexcept {
  return carries_oids(base_type) || (element_base_type != 0 && carries_oids(element_base_type));
}

struct ContentHash::Stream {
  XXH3_state_t state;
};

ContentHash::ContentHash() = default;
ContentHash::ContentHash(const ContentHash& other) : sum_(other.sum_), rows_(other.rows_) {}
ContentHash& ContentHash::operator=(const ContentHash& other) {
  sum_ = other.sum_;
  rows_ = other.rows_;
  return *this;
}
ContentHash::~ContentHash() = default;

void ContentHash::grow(std::size_t needed) {
  std::size_t capacity = capacity_ == 0 ? 256 : capacity_;
  while (capacity < needed) capacity *= 2;
  std::unique_ptr<unsigned char[]> bigger(new unsigned char[capacity]);
  if (used_ > 0) std::memcpy(bigger.get(), row_.get(), used_);
  row_ = std::move(bigger);
  capacity_ = capacity;
}

// The row's bytes so far, then the value, into the streaming state; the row buffer is empty
// after it.
void ContentHash::stream_value(const void* data, std::size_t length) {
  if (!stream_) stream_ = std::make_unique<Stream>();
  if (!streaming_) XXH3_128bits_reset(&stream_->state);
  streaming_ = true;
  XXH3_128bits_update(&stream_->state, row_.get(), used_);
  XXH3_128bits_update(&stream_->state, data, length);
  used_ = 0;
}

void ContentHash::add_value(const void* data, std::size_t length) {
  reserve(5 + (length < stream_threshold ? length : 0));
  unsigned char* out = row_.get() + used_;
  out[0] = 1;
  auto n = static_cast<std::uint32_t>(length);
  out[1] = static_cast<unsigned char>(n);
  out[2] = static_cast<unsigned char>(n >> 8);
  out[3] = static_cast<unsigned char>(n >> 16);
  out[4] = static_cast<unsigned char>(n >> 24);
  used_ += 5;
  if (length >= stream_threshold) {
    stream_value(data, length);
    return;
  }
  if (length > 0) std::memcpy(out + 5, data, length);
  used_ += length;
}

void ContentHash::end_row() noexcept {
  XXH128_hash_t h;
  if (streaming_) {
    XXH3_128bits_update(&stream_->state, row_.get(), used_);
    h = XXH3_128bits_digest(&stream_->state);
  } else {
    h = XXH3_128bits(row_.get(), used_);
  }
  last_ = (static_cast<unsigned __int128>(h.high64) << 64) | h.low64;
  sum_ += last_;
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
