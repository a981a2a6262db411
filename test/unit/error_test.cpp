#include "core/error.hpp"

#include <gtest/gtest.h>

namespace pgdb {
namespace {

TEST(Sqlstate, AcceptsFiveDigitsOrCapitals) {
  EXPECT_TRUE(is_valid_sqlstate("22023"));
  EXPECT_TRUE(is_valid_sqlstate("42P01"));
  EXPECT_TRUE(is_valid_sqlstate("XX000"));
}

TEST(Sqlstate, RejectsWrongLengthOrCharacters) {
  EXPECT_FALSE(is_valid_sqlstate(""));
  EXPECT_FALSE(is_valid_sqlstate("2202"));
  EXPECT_FALSE(is_valid_sqlstate("220233"));
  EXPECT_FALSE(is_valid_sqlstate("42p01"));
  EXPECT_FALSE(is_valid_sqlstate("22-23"));
}

TEST(Sqlstate, ErrorsAreOutsideSuccessWarningAndNoData) {
  EXPECT_TRUE(is_error_sqlstate("22023"));
  EXPECT_FALSE(is_error_sqlstate("00000"));
  EXPECT_FALSE(is_error_sqlstate("01000"));
  EXPECT_FALSE(is_error_sqlstate("02000"));
  EXPECT_FALSE(is_error_sqlstate("bogus"));
  EXPECT_STREQ(Error("01000", "a warning code").sqlstate(), "XX000");
}

TEST(Error, CarriesSqlstateMessageDetailAndHint) {
  Error e(sqlstate::invalid_parameter_value, "bad premake", "premake was -1", "Use 1 or more.");
  EXPECT_STREQ(e.sqlstate(), "22023");
  EXPECT_STREQ(e.what(), "bad premake");
  EXPECT_EQ(e.detail(), "premake was -1");
  EXPECT_EQ(e.hint(), "Use 1 or more.");
}

TEST(Error, InvalidSqlstateBecomesInternalError) {
  Error e("oops", "message");
  EXPECT_STREQ(e.sqlstate(), "XX000");
}

TEST(Error, IsCatchableAsStdException) {
  try {
    throw Error(sqlstate::undefined_column, "column \"x\" does not exist");
  } catch (const std::exception& e) {
    EXPECT_STREQ(e.what(), "column \"x\" does not exist");
  }
}

}  // namespace
}  // namespace pgdb
