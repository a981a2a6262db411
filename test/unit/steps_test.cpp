#include "partitions/steps.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace pgdb::partitions {
namespace {

Key at(int y, int mo, int d, int h = 0, int mi = 0) { return from_civil({y, mo, d, h, mi, 0, 0}); }

TEST(Civil, RoundTripsAndKnowsTheEpoch) {
  EXPECT_EQ(at(2000, 1, 1), 0);
  EXPECT_EQ(at(2000, 1, 2), micros_per_day);
  EXPECT_EQ(at(1999, 12, 31), -micros_per_day);
  CivilTime t = to_civil(at(2024, 2, 29, 13, 45));
  EXPECT_EQ(t.year, 2024);
  EXPECT_EQ(t.month, 2);
  EXPECT_EQ(t.day, 29);
  EXPECT_EQ(t.hour, 13);
  EXPECT_EQ(t.minute, 45);
  EXPECT_EQ(to_civil(at(1969, 7, 20, 20, 17)).year, 1969);
}

TEST(TimeSteps, DailyAlignsToLocalMidnight) {
  TimeSteps daily({0, 1, 0});
  EXPECT_EQ(daily.floor(at(2026, 11, 21, 15, 30)), at(2026, 11, 21));
  EXPECT_EQ(daily.next(at(2026, 11, 21)), at(2026, 11, 22));
  EXPECT_EQ(daily.previous(at(2026, 11, 21)), at(2026, 11, 20));
  EXPECT_EQ(daily.floor(at(1999, 12, 31, 23)), at(1999, 12, 31));
  EXPECT_EQ(daily.label(at(2026, 3, 7)), "20260307");
}

TEST(TimeSteps, WeeksStartOnMonday) {
  TimeSteps weekly({0, 7, 0});
  EXPECT_EQ(weekly.floor(at(2026, 11, 21)), at(2026, 11, 16));  // a Saturday -> Monday
  EXPECT_EQ(weekly.floor(at(2026, 11, 16)), at(2026, 11, 16));
  EXPECT_EQ(weekly.next(at(2026, 11, 16)), at(2026, 11, 23));
}

TEST(TimeSteps, SubDailyAlignsWithinTheDayAndLabelsTheTime) {
  TimeSteps quarter_hour({0, 0, 15LL * 60 * 1'000'000});
  EXPECT_EQ(quarter_hour.floor(at(2026, 11, 21, 10, 44)), at(2026, 11, 21, 10, 30));
  EXPECT_EQ(quarter_hour.next(at(2026, 11, 21, 23, 45)), at(2026, 11, 22, 0, 0));
  EXPECT_EQ(quarter_hour.label(at(2026, 11, 21, 10, 30)), "20261121_1030");
}

TEST(TimeSteps, MonthsQuartersAndYearsFollowTheCalendar) {
  TimeSteps monthly({1, 0, 0});
  EXPECT_EQ(monthly.floor(at(2026, 2, 28, 12)), at(2026, 2, 1));
  EXPECT_EQ(monthly.next(at(2026, 12, 1)), at(2027, 1, 1));
  EXPECT_EQ(monthly.previous(at(2026, 1, 1)), at(2025, 12, 1));
  EXPECT_EQ(monthly.label(at(2026, 2, 1)), "202602");
  TimeSteps quarterly({3, 0, 0});
  EXPECT_EQ(quarterly.floor(at(2026, 5, 15)), at(2026, 4, 1));
  EXPECT_EQ(quarterly.floor(at(1999, 11, 1)), at(1999, 10, 1));
  TimeSteps yearly({12, 0, 0});
  EXPECT_EQ(yearly.floor(at(2026, 11, 21)), at(2026, 1, 1));
  EXPECT_EQ(yearly.next(at(2026, 1, 1)), at(2027, 1, 1));
}

TEST(TimeSteps, RejectsMixedOrNonPositiveIntervals) {
  EXPECT_THROW(TimeSteps({1, 1, 0}), Error);
  EXPECT_THROW(TimeSteps({0, 0, 0}), Error);
  EXPECT_THROW(TimeSteps({0, -1, 0}), Error);
}

TEST(AddInterval, MonthsClampTheDayAndDaysAddToTheClock) {
  EXPECT_EQ(add_interval(at(2026, 3, 31), {1, 0, 0}, -1), at(2026, 2, 28));
  EXPECT_EQ(add_interval(at(2024, 3, 31), {1, 0, 0}, -1), at(2024, 2, 29));
  EXPECT_EQ(add_interval(at(2026, 11, 21, 10), {0, 7, 0}, -1), at(2026, 11, 14, 10));
  EXPECT_EQ(add_interval(at(2026, 1, 1), {12, 0, 0}, 1), at(2027, 1, 1));
}

TEST(LocalText, FormatsForSqlLiterals) {
  EXPECT_EQ(local_text(at(2026, 3, 7, 9, 5), false), "2026-03-07 09:05:00.000000");
  EXPECT_EQ(local_text(at(2026, 3, 7), true), "2026-03-07");
}

TEST(IntegerSteps, AlignsToMultiplesOfTheWidth) {
  IntegerSteps steps(1000, 0, 2147483647);
  EXPECT_EQ(steps.floor(12345), 12000);
  EXPECT_EQ(steps.next(12000), 13000);
  EXPECT_EQ(steps.previous(12000), 11000);
  EXPECT_EQ(steps.label(12000), "12000");
}

TEST(IntegerSteps, NegativeValuesAndLabels) {
  IntegerSteps steps(100, -2147483648LL, 2147483647);
  EXPECT_EQ(steps.floor(-1), -100);
  EXPECT_EQ(steps.next(-100), 0);
  EXPECT_EQ(steps.label(-100), "m100");
}

TEST(IntegerSteps, TheTypesLimitsEndThePeriods) {
  IntegerSteps int4(1000000000, -2147483648LL, 2147483647);
  EXPECT_EQ(int4.floor(2147483647), 2000000000);
  EXPECT_EQ(int4.next(2000000000), key_max);  // 3e9 is past int4: MAXVALUE
  EXPECT_EQ(int4.floor(-2147483648LL), -2147483648LL);
  IntegerSteps int8(1000, key_min, key_max - 1);
  EXPECT_EQ(int8.next(key_max - 500), key_max);  // no overflow
  EXPECT_EQ(int8.previous(key_min), key_min);
}

TEST(IntegerSteps, NoOverflowAtTheInt8Minimum) {
  IntegerSteps int8(10, key_min, key_max - 1);
  EXPECT_EQ(int8.floor(key_min + 1), key_min);
  EXPECT_EQ(int8.next(key_min), key_min + 8);  // the first aligned multiple of 10 after the minimum
  EXPECT_EQ(int8.label(key_min), "m9223372036854775808");
}

TEST(IntegerSteps, RejectsNonPositiveWidth) { EXPECT_THROW(IntegerSteps(0, 0, 10), Error); }

}  // namespace
}  // namespace pgdb::partitions
