#include "core/quote.hpp"

#include <gtest/gtest.h>

namespace pgdb {
namespace {

// A few of PostgreSQL's keywords, enough to exercise each category.
KeywordKind test_keywords(std::string_view word) {
  if (word == "select" || word == "table" || word == "user")
    return KeywordKind::reserved_or_restricted;
  if (word == "name" || word == "action") return KeywordKind::unreserved;
  return KeywordKind::not_keyword;
}

TEST(QuoteIdentifier, PlainLowerCaseStaysBare) {
  EXPECT_EQ(quote_identifier("orders", test_keywords), "orders");
  EXPECT_EQ(quote_identifier("_x1", test_keywords), "_x1");
  EXPECT_EQ(quote_identifier("name", test_keywords), "name");  // unreserved keyword
}

TEST(QuoteIdentifier, QuotesWhatTheParserWouldNotReadBack) {
  EXPECT_EQ(quote_identifier("Orders", test_keywords), "\"Orders\"");
  EXPECT_EQ(quote_identifier("1st", test_keywords), "\"1st\"");
  EXPECT_EQ(quote_identifier("with space", test_keywords), "\"with space\"");
  EXPECT_EQ(quote_identifier("dollar$", test_keywords), "\"dollar$\"");
  EXPECT_EQ(quote_identifier("café", test_keywords), "\"café\"");
  EXPECT_EQ(quote_identifier("", test_keywords), "\"\"");
}

TEST(QuoteIdentifier, QuotesReservedKeywords) {
  EXPECT_EQ(quote_identifier("select", test_keywords), "\"select\"");
  EXPECT_EQ(quote_identifier("user", test_keywords), "\"user\"");
}

TEST(QuoteIdentifier, DoublesEmbeddedQuotes) {
  EXPECT_EQ(quote_identifier("a\"b", test_keywords), "\"a\"\"b\"");
  EXPECT_EQ(quote_identifier("\"", test_keywords), "\"\"\"\"");
}

TEST(QuoteIdentifier, ForceQuotes) {
  EXPECT_EQ(quote_identifier("orders", test_keywords, true), "\"orders\"");
}

TEST(QuoteLiteral, DoublesQuotes) {
  EXPECT_EQ(quote_literal("abc"), "'abc'");
  EXPECT_EQ(quote_literal("it's"), "'it''s'");
  EXPECT_EQ(quote_literal(""), "''");
}

TEST(QuoteLiteral, BackslashesUseEscapeSyntax) {
  EXPECT_EQ(quote_literal("a\\b"), "E'a\\\\b'");
  EXPECT_EQ(quote_literal("'\\"), "E'''\\\\'");
}

}  // namespace
}  // namespace pgdb
