#include "core/text.hpp"

#include <gtest/gtest.h>

namespace pgdb {
namespace {

TEST(Utf8Prefix, ShortTextIsUnchanged) {
  EXPECT_EQ(utf8_prefix("abc", 3), "abc");
  EXPECT_EQ(utf8_prefix("abc", 10), "abc");
  EXPECT_EQ(utf8_prefix("", 0), "");
}

TEST(Utf8Prefix, CutsAsciiAtTheLimit) { EXPECT_EQ(utf8_prefix("abcdef", 4), "abcd"); }

TEST(Utf8Prefix, NeverSplitsAMultiByteCharacter) {
  // "é" is 2 bytes, "€" is 3 bytes, "𝄞" is 4 bytes.
  EXPECT_EQ(utf8_prefix("aé", 2), "a");
  EXPECT_EQ(utf8_prefix("aé", 3), "aé");
  EXPECT_EQ(utf8_prefix("a€b", 3), "a");
  EXPECT_EQ(utf8_prefix("a€b", 4), "a€");
  EXPECT_EQ(utf8_prefix("𝄞𝄞", 7), "𝄞");
  EXPECT_EQ(utf8_prefix("𝄞", 3), "");
}

TEST(CopyTruncated, FitsWithTerminator) {
  char buffer[5];
  copy_truncated(buffer, sizeof buffer, "abcdefgh");
  EXPECT_STREQ(buffer, "abcd");
  copy_truncated(buffer, sizeof buffer, "ab");
  EXPECT_STREQ(buffer, "ab");
  copy_truncated(buffer, sizeof buffer, "abc€");
  EXPECT_STREQ(buffer, "abc");
  copy_truncated(buffer, 1, "abc");
  EXPECT_STREQ(buffer, "");
}

}  // namespace
}  // namespace pgdb
