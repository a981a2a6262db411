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

// The OID-alias types (regclass, regtype, ...): their values are OIDs of this cluster, which a dump
// and restore renumbers, so they are hashed as their text (the object's name), as values of types
// created in this database are. Fixed OIDs of PostgreSQL's catalog (checked against the server's
// headers in store_pg.cpp).
inline constexpr std::uint32_t oid_alias_types[] = {
    24,    // regproc
    2202,  // regprocedure
    2203,  // regoper
    2204,  // regoperator
    2205,  // regclass
    2206,  // regtype
    3734,  // regconfig
    3769,  // regdictionary
    4089,  // regnamespace
    4096,  // regrole
    4191,  // regcollation
};
// The first OID given to objects created after initdb (PostgreSQL's FirstNormalObjectId).
inline constexpr std::uint32_t first_normal_object_id = 16384;

// Whether a column's values are hashed as their text output rather than their bytes: when its
// base type (domains resolved), or for an array its element's base type (0 for none), is created
// in this database or is an OID-alias type.
bool hash_as_text(std::uint32_t base_type, std::uint32_t element_base_type) noexcept;

class ContentHash {
 public:
  ContentHash();
  // Copies carry the sum and the count; the row buffer and the stream are scratch space.
  ContentHash(const ContentHash& other);
  ContentHash& operator=(const ContentHash& other);
  ~ContentHash();

  void begin_row() noexcept {
    used_ = 0;
    streaming_ = false;
  }
  void add_null() {
    reserve(1);
    row_[used_++] = 0;
  }
  void add_value(const void* data, std::size_t length);
  void end_row() noexcept;
  // The hash of the row last ended (what end_row added to the sum): rows with equal contents have
  // equal row hashes.
  unsigned __int128 last_row() const noexcept { return last_; }

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
  void stream_value(const void* data, std::size_t length);

  // A value of at least this many bytes is hashed where it lies, by XXH3's streaming interface
  // (the same hash), rather than copied into the row buffer: a 100 MB value is not held twice.
  static constexpr std::size_t stream_threshold = 64u << 10;
  struct Stream;
  std::unique_ptr<Stream> stream_;
  bool streaming_ = false;  // the row's bytes so far went to stream_, the rest is in row_
  std::unique_ptr<unsigned char[]> row_;
  std::size_t used_ = 0;
  std::size_t capacity_ = 0;
  unsigned __int128 sum_ = 0;
  unsigned __int128 last_ = 0;
  std::uint64_t rows_ = 0;
};

}  // namespace pgdb::snapshots
