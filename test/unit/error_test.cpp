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

TEST(Sqlstate, CancelsTimeoutsShutdownsAndResourcesStopTheCall) {
  EXPECT_TRUE(stops_the_call("57014"));  // pg_cancel_backend and statement_timeout
  EXPECT_TRUE(stops_the_call("57P01"));  // admin_shutdown
  EXPECT_TRUE(stops_the_call("57P04"));  // database_dropped
  EXPECT_TRUE(stops_the_call("57000"));
  EXPECT_TRUE(stops_the_call("53200"));  // out of memory
  EXPECT_TRUE(stops_the_call("53100"));  // disk full
  EXPECT_TRUE(stops_the_call("P0004"));  // assert_failure
}

TEST(Sqlstate, OrdinaryErrorsDoNotStopTheCall) {
  EXPECT_FALSE(stops_the_call("55P03"));  // lock_timeout: a busy set is skipped, not fatal
  EXPECT_FALSE(stops_the_call("22023"));
  EXPECT_FALSE(stops_the_call("22007"));  // invalid datetime format
  EXPECT_FALSE(stops_the_call("40001"));
  EXPECT_FALSE(stops_the_call("40P01"));
  EXPECT_FALSE(stops_the_call("42P01"));
  EXPECT_FALSE(stops_the_call("XX000"));
  EXPECT_FALSE(stops_the_call("P0001"));  // RAISE EXCEPTION
  EXPECT_FALSE(stops_the_call("P0003"));
  EXPECT_FALSE(stops_the_call("58030"));
  EXPECT_FALSE(stops_the_call("54001"));
}

TEST(Sqlstate, NonErrorsAndMalformedCodesDoNotStopTheCall) {
  EXPECT_FALSE(stops_the_call("00000"));
  EXPECT_FALSE(stops_the_call("01000"));
  EXPECT_FALSE(stops_the_call(""));
  EXPECT_FALSE(stops_the_call("57"));
  EXPECT_FALSE(stops_the_call("5701"));
  EXPECT_FALSE(stops_the_call("570144"));
  EXPECT_FALSE(stops_the_call("57p01"));
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

TEST(Error, NamesTheObjectsItConcerns) {
  Error plain("23514", "refused");
  EXPECT_TRUE(plain.objects().schema.empty());
  EXPECT_TRUE(plain.objects().constraint.empty());
  try {
    throw Error("23514", "refused", "detail", "hint").about({"app", "orders", "status", "fsm_t"});
  } catch (const Error& e) {
    EXPECT_STREQ(e.sqlstate(), "23514");
    EXPECT_EQ(e.detail(), "detail");
    EXPECT_EQ(e.objects().schema, "app");
    EXPECT_EQ(e.objects().table, "orders");
    EXPECT_EQ(e.objects().column, "status");
    EXPECT_EQ(e.objects().constraint, "fsm_t");
  }
}

}  // namespace
}  // namespace pgdb
