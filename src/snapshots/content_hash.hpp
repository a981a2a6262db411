// The content hash of a snapshotted table: a 128-bit XXH3 hash of each row's canonical bytes
// (each column's null flag, length and detoasted value), summed over the rows modulo 2^128. A sum
// is independent of row order and, unlike XOR, keeps duplicate rows apart. PG-free: the boundary
// feeds each column's bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace pgdb::snapshots {

class ContentHash {
 public:
  void begin_row();
  void add_null();
  void add_value(const void* data, std::size_t length);
  void end_row();

  // Adds another table piece's hash (a partition's), as if its rows had been added here.
  void merge(const ContentHash& other);

  std::uint64_t rows() const noexcept { return rows_; }
  // 32 lower-case hex digits; all zeros for no rows.
  std::string hex() const;

 private:
  std::vector<unsigned char> row_;
  unsigned __int128 sum_ = 0;
  std::uint64_t rows_ = 0;
};

}  // namespace pgdb::snapshots
