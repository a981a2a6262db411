// Names the extension generates for PostgreSQL objects (triggers, partitions, jobs). PG-free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace pgdb {

// PostgreSQL's NAMEDATALEN - 1: the longest identifier, in bytes.
inline constexpr std::size_t max_identifier_bytes = 63;

// 64-bit FNV-1a: stable across platforms, builds and releases, so names derived from it are too.
std::uint64_t stable_hash(std::string_view text) noexcept;

// name itself when it fits in max_bytes; otherwise a whole-character prefix followed by '_' and
// eight hex digits of stable_hash(name), max_bytes long at most (only hex digits when max_bytes is
// 9 or less). The same name always gets the same result; two long names that share a prefix get
// different ones unless their 32-bit hashes collide.
std::string bounded_identifier(std::string_view name, std::size_t max_bytes = max_identifier_bytes);

}  // namespace pgdb
