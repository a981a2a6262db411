#include "core/naming.hpp"

#include <gtest/gtest.h>

#include <string>

namespace pgdb {
namespace {

TEST(StableHash, KnownFnv1aValues) {
  EXPECT_EQ(stable_hash(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(stable_hash("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_NE(stable_hash("orders"), stable_hash("order"));
}

TEST(BoundedIdentifier, ShortNamesAreKept) {
  EXPECT_EQ(bounded_identifier("pgdb_protect_orders"), "pgdb_protect_orders");
  std::string exactly63(63, 'x');
  EXPECT_EQ(bounded_identifier(exactly63), exactly63);
}

TEST(BoundedIdentifier, LongNamesGetAStableHashSuffix) {
  std::string long_name = "pgdb_updated_at_" + std::string(80, 'a');
  std::string bounded = bounded_identifier(long_name);
  EXPECT_EQ(bounded.size(), 63u);
  EXPECT_EQ(bounded.substr(0, 54), long_name.substr(0, 54));
  EXPECT_EQ(bounded[54], '_');
  EXPECT_EQ(bounded, bounded_identifier(long_name));
}

TEST(BoundedIdentifier, LongNamesWithACommonPrefixStayDistinct) {
  std::string prefix(70, 'p');
  EXPECT_NE(bounded_identifier(prefix + "_one"), bounded_identifier(prefix + "_two"));
}

TEST(BoundedIdentifier, NeverSplitsUtf8) {
  std::string name;
  for (int i = 0; i < 40; ++i) name += "é";  // 80 bytes
  std::string bounded = bounded_identifier(name);
  EXPECT_LE(bounded.size(), 63u);
  // 54 bytes allowed before the suffix: 27 whole characters.
  EXPECT_EQ(bounded.substr(0, 54), name.substr(0, 54));
  EXPECT_EQ(bounded.size(), 63u);
  name = "a" + name;  // now the 54-byte cut falls inside a character
  bounded = bounded_identifier(name);
  EXPECT_EQ(bounded.size(), 62u);
  EXPECT_EQ(bounded.substr(0, 53), name.substr(0, 53));
}

TEST(BoundedIdentifier, TinyLimitsStillHold) {
  EXPECT_EQ(bounded_identifier("abcdefghijklmnop", 9).size(), 8u);  // the eight hex digits
  EXPECT_EQ(bounded_identifier("abcdefghijklmnop", 4).size(), 4u);
  EXPECT_EQ(bounded_identifier("abc", 4), "abc");
}

TEST(BoundedIdentifier, HonoursASmallerLimit) {
  EXPECT_EQ(bounded_identifier("abcdefghijklmnop", 12).size(), 12u);
  EXPECT_EQ(bounded_identifier("abcdefghijklmnop", 12).substr(0, 3), "abc");
}

}  // namespace
}  // namespace pgdb
