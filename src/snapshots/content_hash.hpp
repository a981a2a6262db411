// The content hash of a snapshotted table: a 128-bit XXH3 hash of each row's canonical bytes
// (each column's null flag, length and detoasted value), summed over the rows modulo 2^128. A sum
// is independent of row order and, unlike XOR, keeps duplicate rows apart. PG-free: the boundary
// feeds each column's bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace pgdb::snapshots {

class ContentHash {
 public:
  ContentHash() = default;
  // Copies carry the sum and the count; the row buffer is scratch space.
  ContentHash(const ContentHash& other) : sum_(other.sum_), rows_(other.rows_) {}
  ContentHash& operator=(const ContentHash& other) {
    sum_ = other.sum_;
    rows_ = other.rows_;
    return *this;
  }

  void begin_row() noexcept { used_ = 0; }
  void add_null() {
    reserve(1);
    row_[used_++] = 0;
  }
  void add_value(const void* data, std::size_t length);
  void end_row() noexcept;

  // Adds another table piece's hash (a partition's), as if its rows had been added here.
  void merge(const ContentHash& other);

  std::uint64_t rows() const noexcept { return rows_; }
  // 32 lower-case hex digits; all zeros for no rows.
  std::string hex() const;

 private:
  // The row's canonical bytes: a plain growable buffer, since this runs for every column of
  // every row (a std::vector's zero-filling resize showed up in profiles).
  void reserve(std::size_t more) {
    if (used_ + more > capacity_) grow(used_ + more);
  }
  void grow(std::size_t needed);

  std::unique_ptr<unsigned char[]> row_;
  std::size_t used_ = 0;
  std::size_t capacity_ = 0;
  unsigned __int128 sum_ = 0;
  std::uint64_t rows_ = 0;
};

}  // namespace pgdb::snapshots
