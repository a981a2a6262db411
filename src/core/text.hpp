// Byte-bounded text helpers that never split a UTF-8 character. PG-free.
#pragma once

#include <cstddef>
#include <string_view>

namespace pgdb {

// The longest prefix of text that has at most max_bytes bytes and does not end inside a UTF-8
// multi-byte sequence.
std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes) noexcept;

// Copies the longest whole-character prefix of text that fits in dest (capacity bytes, including
// the terminating NUL). Never allocates, so it is safe inside a catch block. capacity must be > 0.
void copy_truncated(char* dest, std::size_t capacity, std::string_view text) noexcept;

}  // namespace pgdb
