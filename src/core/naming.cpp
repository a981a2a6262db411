#include "core/naming.hpp"

#include "core/text.hpp"
#include "core/pg_free.hpp"

namespace pgdb {

std::uint64_t stable_hash(std::string_view text) noexcept {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::string bounded_identifier(std::string_view name, std::size_t max_bytes) {
  if (name.size() <= max_bytes) return std::string(name);
  constexpr std::size_t suffix_bytes = 9;  // '_' + 8 hex digits
  static constexpr char hex[] = "0123456789abcdef";
  std::uint64_t hash = stable_hash(name);
  std::string digits;
  for (int shift = 28; shift >= 0; shift -= 4) digits.push_back(hex[(hash >> shift) & 0xF]);
  if (max_bytes <= suffix_bytes) return digits.substr(0, max_bytes);
  std::string result(utf8_prefix(name, max_bytes - suffix_bytes));
  result.push_back('_');
  return result + digits;
}

}  // namespace pgdb
