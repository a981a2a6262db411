#include "snapshots/content_hash.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace pgdb::snapshots {
namespace {

using Row = std::vector<std::optional<std::string>>;

void add_row(ContentHash& hash, const Row& row) {
  hash.begin_row();
  for (const std::optional<std::string>& value : row) {
    if (value)
      hash.add_value(value->data(), value->size());
    else
      hash.add_null();
  }
  hash.end_row();
}

ContentHash hash_of(const std::vector<Row>& rows) {
  ContentHash hash;
  for (const Row& row : rows) add_row(hash, row);
  return hash;
}

std::string hex_of(const std::vector<Row>& rows) { return hash_of(rows).hex(); }

const std::string zeros(32, '0');

TEST(ContentHash, EmptyIsThirtyTwoZeros) {
  ContentHash hash;
  EXPECT_EQ(hash.hex(), zeros);
  EXPECT_EQ(hash.rows(), 0u);
}

TEST(ContentHash, HexIsThirtyTwoLowerCaseDigits) {
  std::string hex = hex_of({{"a", "b"}, {std::nullopt, "xyz"}});
  ASSERT_EQ(hex.size(), 32u);
  EXPECT_NE(hex, zeros);
  for (char c : hex) EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << hex;
}

// A row without columns hashes no bytes: its hash is XXH3-128 of empty input, a published
// constant, written high half first. Pins the hex layout independently of the library.
TEST(ContentHash, RowWithoutColumnsIsXxh3OfNothing) {
  ContentHash hash;
  hash.begin_row();
  hash.end_row();
  EXPECT_EQ(hash.rows(), 1u);
  EXPECT_EQ(hash.hex(), "99aa06d3014798d86001c324468d497f");
}

// The documented canonical bytes: per column a flag (0 null, 1 value), then for a value its
// length as 4 little-endian bytes and its bytes.
TEST(ContentHash, HashesCanonicalRowBytes) {
  const unsigned char bytes[] = {1, 2, 0, 0, 0, 'h', 'i', 0, 1, 0, 0, 0, 0};
  XXH128_hash_t h = XXH3_128bits(bytes, sizeof bytes);
  char expected[33];
  std::snprintf(expected, sizeof expected, "%016llx%016llx",
                static_cast<unsigned long long>(h.high64),
                static_cast<unsigned long long>(h.low64));
  EXPECT_EQ(hex_of({{"hi", std::nullopt, ""}}), expected);
}

// A value too large to copy into the row buffer is hashed by XXH3's streaming interface: the
// row's hash is still XXH3-128 of its canonical bytes, whatever comes before and after it, and
// the next row starts afresh.
TEST(ContentHash, LargeValuesHashTheSameCanonicalBytes) {
  const std::string large(200000, 'x');
  for (const Row& row : std::vector<Row>{{large},
                                         {"a", std::nullopt, large, "b"},
                                         {large, large, std::nullopt},
                                         {std::string(65535, 'y'), std::string(65536, 'z')}}) {
    std::string bytes;
    for (const std::optional<std::string>& value : row) {
      bytes.push_back(value ? 1 : 0);
      if (!value) continue;
      auto n = static_cast<std::uint32_t>(value->size());
      for (int shift = 0; shift < 32; shift += 8) bytes.push_back(static_cast<char>(n >> shift));
      bytes += *value;
    }
    XXH128_hash_t h = XXH3_128bits(bytes.data(), bytes.size());
    ContentHash hash;
    add_row(hash, row);
    EXPECT_EQ(hash.last_row(), (static_cast<unsigned __int128>(h.high64) << 64) | h.low64);
    add_row(hash, {"small"});
    ContentHash alone;
    add_row(alone, {"small"});
    EXPECT_EQ(hash.last_row(), alone.last_row());
  }
}

TEST(ContentHash, RowOrderDoesNotMatter) {
  Row r1{"1", "alice"}, r2{"2", "bob"}, r3{"3", std::nullopt};
  std::string forward = hex_of({r1, r2, r3});
  EXPECT_EQ(hex_of({r3, r1, r2}), forward);
  EXPECT_EQ(hex_of({r2, r3, r1}), forward);
  EXPECT_NE(forward, zeros);
}

TEST(ContentHash, ColumnOrderMatters) { EXPECT_NE(hex_of({{"a", "b"}}), hex_of({{"b", "a"}})); }

TEST(ContentHash, DuplicateRowsDoNotCancel) {
  Row r{"1", "same"};
  std::string none = hex_of({});
  std::string once = hex_of({r});
  std::string twice = hex_of({r, r});
  EXPECT_EQ(none, zeros);
  EXPECT_NE(twice, none);  // XOR would give zero here
  EXPECT_NE(twice, once);
  EXPECT_NE(hex_of({r, r, r}), once);
  EXPECT_EQ(hash_of({r, r}).rows(), 2u);
}

TEST(ContentHash, DuplicatesCountedNotSetLike) {
  Row a{"a"}, b{"b"};
  EXPECT_NE(hex_of({a, a, b}), hex_of({a, b, b}));
  EXPECT_NE(hex_of({a, a, b}), hex_of({a, b}));
}

TEST(ContentHash, NullDiffersFromEmptyString) {
  EXPECT_NE(hex_of({{std::nullopt}}), hex_of({{""}}));
  EXPECT_NE(hex_of({{"x", std::nullopt}}), hex_of({{"x", ""}}));
}

TEST(ContentHash, NullDiffersFromNoColumn) {
  EXPECT_NE(hex_of({{std::nullopt}}), hex_of({Row{}}));
  EXPECT_NE(hex_of({{"a", std::nullopt}}), hex_of({{"a"}}));
}

TEST(ContentHash, ColumnBoundariesMatter) {
  EXPECT_NE(hex_of({{"ab", "c"}}), hex_of({{"a", "bc"}}));
  EXPECT_NE(hex_of({{"abc"}}), hex_of({{"ab", "c"}}));
  EXPECT_NE(hex_of({{"", "a"}}), hex_of({{"a", ""}}));
}

TEST(ContentHash, RowBoundariesMatter) {
  // Same columns in total, split differently into rows.
  EXPECT_NE(hex_of({{"a", "b"}, {"c"}}), hex_of({{"a"}, {"b", "c"}}));
}

TEST(ContentHash, BinaryValuesWithZeroBytes) {
  std::string with_nul("a\0b", 3);
  EXPECT_NE(hex_of({{with_nul}}), hex_of({{std::string("a")}}));
  EXPECT_NE(hex_of({{with_nul}}), hex_of({{std::string("a\0c", 3)}}));
}

TEST(ContentHash, ValueChangeChangesHash) {
  EXPECT_NE(hex_of({{"1", "alice"}, {"2", "bob"}}), hex_of({{"1", "alice"}, {"2", "bop"}}));
}

TEST(ContentHash, BeginRowDiscardsAnUnfinishedRow) {
  ContentHash hash;
  hash.begin_row();
  hash.add_value("junk", 4);
  hash.begin_row();
  hash.add_value("x", 1);
  hash.end_row();
  EXPECT_EQ(hash.hex(), hex_of({{"x"}}));
  EXPECT_EQ(hash.rows(), 1u);
}

TEST(ContentHash, MergeEqualsAddingTheRows) {
  Row r1{"1", "a"}, r2{"2", std::nullopt}, r3{"3", ""}, r4{"4", "dd"};
  ContentHash first = hash_of({r1, r2});
  ContentHash second = hash_of({r3, r4, r4});
  first.merge(second);
  ContentHash all = hash_of({r1, r2, r3, r4, r4});
  EXPECT_EQ(first.hex(), all.hex());
  EXPECT_EQ(first.rows(), 5u);
  EXPECT_EQ(all.rows(), 5u);
}

TEST(ContentHash, MergeIsOrderIndependentAndEmptyIsNeutral) {
  ContentHash a = hash_of({{"a"}, {"b"}});
  ContentHash b = hash_of({{"c"}});
  ContentHash ab = a;
  ab.merge(b);
  ContentHash ba = b;
  ba.merge(a);
  EXPECT_EQ(ab.hex(), ba.hex());

  ContentHash before = a;
  a.merge(ContentHash{});
  EXPECT_EQ(a.hex(), before.hex());
  EXPECT_EQ(a.rows(), before.rows());
}

TEST(ContentHash, SumWrapsModulo128Bits) {
  // Many rows make the 128-bit sum overflow; the result must still be order independent and
  // merge-consistent.
  std::vector<Row> rows;
  for (int i = 0; i < 1000; ++i) rows.push_back({std::to_string(i)});
  std::vector<Row> reversed(rows.rbegin(), rows.rend());
  EXPECT_EQ(hex_of(rows), hex_of(reversed));
  ContentHash left = hash_of(std::vector<Row>(rows.begin(), rows.begin() + 400));
  left.merge(hash_of(std::vector<Row>(rows.begin() + 400, rows.end())));
  EXPECT_EQ(left.hex(), hex_of(rows));
  EXPECT_EQ(left.rows(), 1000u);
}

TEST(ContentHash, LastRowIsTheRowsShareOfTheSum) {
  ContentHash hash;
  add_row(hash, {"a", std::nullopt});
  unsigned __int128 first = hash.last_row();
  add_row(hash, {"b", "c"});
  unsigned __int128 second = hash.last_row();
  EXPECT_NE(first, second);
  ContentHash again;
  add_row(again, {"a", std::nullopt});
  EXPECT_EQ(again.last_row(), first);  // equal rows, equal row hashes
  ContentHash two;
  add_row(two, {"b", "c"});
  add_row(two, {"a", std::nullopt});
  EXPECT_EQ(two.hex(), hash.hex());
  // one row's sum is its row hash
  char expected[33];
  std::snprintf(expected, sizeof expected, "%016llx%016llx",
                static_cast<unsigned long long>(first >> 64),
                static_cast<unsigned long long>(first));
  EXPECT_EQ(again.hex(), expected);
}

// Which values are hashed as text: those whose bytes hold OIDs a dump and restore renumbers.
TEST(HashAsText, BuiltInTypesAreHashedAsBytes) {
  EXPECT_FALSE(hash_as_text(23, 0));     // integer
  EXPECT_FALSE(hash_as_text(25, 0));     // text
  EXPECT_FALSE(hash_as_text(1007, 23));  // integer[]
  EXPECT_FALSE(hash_as_text(26, 0));     // oid: a plain number, not an alias of an object
  EXPECT_FALSE(hash_as_text(16383, 0));  // the last OID initdb may use
}

TEST(HashAsText, EveryOidAliasTypeIsHashedAsText) {
  for (std::uint32_t type :
       {24u, 2202u, 2203u, 2204u, 2205u, 2206u, 3734u, 3769u, 4089u, 4096u, 4191u})
    EXPECT_TRUE(hash_as_text(type, 0)) << type;
  EXPECT_EQ(std::size(oid_alias_types), 11u);
}

TEST(HashAsText, ArraysOfOidAliasesAndLocalTypesAreHashedAsText) {
  EXPECT_TRUE(hash_as_text(2210, 2205));  // regclass[]
  EXPECT_TRUE(hash_as_text(4097, 4096));  // regrole[]
  EXPECT_TRUE(hash_as_text(16384, 0));    // the first type created in a database (an enum)
  EXPECT_TRUE(hash_as_text(70000, 0));
  EXPECT_TRUE(hash_as_text(70001, 70000));  // an array of a local type
}

}  // namespace
}  // namespace pgdb::snapshots
