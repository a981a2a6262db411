#include "core/text.hpp"

#include <cstring>

#include "core/pg_free.hpp"

namespace pgdb {

namespace {
bool is_continuation_byte(unsigned char c) { return (c & 0xC0) == 0x80; }
}  // namespace

std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes) noexcept {
  if (text.size() <= max_bytes) return text;
  std::size_t end = max_bytes;
  // Step back over continuation bytes to the lead byte of the character that straddles the cut.
  while (end > 0 && is_continuation_byte(static_cast<unsigned char>(text[end]))) --end;
  return text.substr(0, end);
}

void copy_truncated(char* dest, std::size_t capacity, std::string_view text) noexcept {
  std::string_view fitting = utf8_prefix(text, capacity - 1);
  std::memcpy(dest, fitting.data(), fitting.size());
  dest[fitting.size()] = '\0';
}

}  // namespace pgdb
