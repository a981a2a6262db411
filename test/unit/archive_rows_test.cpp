#include "snapshots/archive_rows.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "snapshots/archive_path.hpp"

namespace pgdb::archive {
namespace {

using Rows = std::vector<CopyTextRows::Fields>;

Rows rows_of(const std::vector<std::string>& pieces) {
  CopyTextRows parser;
  Rows rows;
  for (const std::string& piece : pieces)
    parser.feed(piece, [&rows](const CopyTextRows::Fields& fields) { rows.push_back(fields); });
  EXPECT_FALSE(parser.pending());
  return rows;
}

TEST(ArchiveRows, DecodesWhatCopyToWrites) {
  const std::string tricky = std::string("tab\there\nnew\\line\r\b\f\v end") + '\x01';
  std::string text;
  append_copy_text(text, tricky.data(), tricky.size());
  text += "\t";
  append_copy_null(text);
  text += "\t\t\\\\N\n";
  Rows rows = rows_of({text});
  ASSERT_EQ(rows.size(), 1u);
  ASSERT_EQ(rows[0].size(), 4u);
  EXPECT_EQ(rows[0][0], tricky);
  EXPECT_EQ(rows[0][1], std::nullopt);
  EXPECT_EQ(rows[0][2], std::string());
  EXPECT_EQ(rows[0][3], std::string("\\N"));  // an escaped backslash, then N: not NULL
}

TEST(ArchiveRows, RowsSpanPiecesOfAnySize) {
  const std::string text = "1\tone\n2\t\\N\n3\tthree\\tx\n";
  Rows whole = rows_of({text});
  ASSERT_EQ(whole.size(), 3u);
  EXPECT_EQ(whole[2][1], std::string("three\tx"));
  for (std::size_t cut = 1; cut < text.size(); ++cut)
    EXPECT_EQ(rows_of({text.substr(0, cut), text.substr(cut)}), whole) << "cut at " << cut;
  std::vector<std::string> bytes;
  for (char c : text) bytes.emplace_back(1, c);
  EXPECT_EQ(rows_of(bytes), whole);
}

TEST(ArchiveRows, OctalAndHexEscapesAsCopyFromReadsThem) {
  EXPECT_EQ(decode_copy_field("\\101\\x42\\x4a\\7x\\0"), std::string("ABJ\ax") + '\0');
  EXPECT_EQ(decode_copy_field("\\xg"), "xg");  // \x without a hex digit is an x
  EXPECT_EQ(decode_copy_field("\\q\\\\"), "q\\");
  EXPECT_EQ(decode_copy_field("end\\"), "end\\");
  EXPECT_EQ(decode_copy_field("\\1234"), "S4");  // at most three octal digits
}

TEST(ArchiveRows, UnendedRowIsPending) {
  CopyTextRows parser;
  int rows = 0;
  parser.feed("1\tone\n2\ttw", [&rows](const CopyTextRows::Fields&) { ++rows; });
  EXPECT_EQ(rows, 1);
  EXPECT_TRUE(parser.pending());
}

}  // namespace
}  // namespace pgdb::archive
