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

// A width of 3000000000 on an integer column once made next() return the same boundary forever
// (create_partitioned spun at 100% CPU, deaf to cancels).
TEST(IntegerSteps, RejectsWidthsWiderThanTheType) {
  try {
    IntegerSteps(3000000000LL, -2147483648LL, 2147483647);
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.sqlstate(), "22003");
  }
}

TEST(IntegerSteps, WideWidthsStillAdvance) {
  IntegerSteps int4(2000000000, -2147483648LL, 2147483647);
  EXPECT_EQ(int4.next(-2147483648LL), -2000000000);
  EXPECT_EQ(int4.next(-2000000000), 0);
  EXPECT_EQ(int4.next(0), 2000000000);
  EXPECT_EQ(int4.next(2000000000), key_max);
  EXPECT_EQ(int4.previous(0), -2000000000);
  EXPECT_EQ(int4.previous(-2000000000), -2147483648LL);
  EXPECT_EQ(int4.previous(-2147483648LL), key_min);
}

// A bigint set starting at the type's minimum once stepped from key_min + 8 back to itself.
TEST(IntegerSteps, StepsFromTheInt8MinimumAdvance) {
  IntegerSteps int8(10, key_min, key_max - 1);
  EXPECT_EQ(int8.next(key_min + 8), key_min + 18);
  EXPECT_EQ(int8.previous(key_min + 18), key_min + 8);
  EXPECT_EQ(int8.previous(key_min + 8), key_min);
}

TEST(IntegerSteps, EveryStepMovesStrictly) {
  for (Key width : std::initializer_list<Key>{1, 7, 1000, 2000000000, 4611686018427387904}) {
    IntegerSteps int8(width, key_min, key_max - 1);
    for (Key b : std::initializer_list<Key>{key_min, key_min + 1, key_min + width - 1, -width, -1,
                                            0, 1, width, key_max - 1 - width, key_max - 2}) {
      Key aligned = int8.floor(b);
      EXPECT_LE(aligned, b);
      EXPECT_GT(int8.next(b), b) << width << " " << b;
      EXPECT_GT(int8.next(aligned), aligned) << width << " " << b;
      if (b != key_min) EXPECT_LT(int8.previous(b), b) << width << " " << b;
    }
  }
}

// '106751992 days' overflowed the stride; '178000000 years' the calendar.
TEST(TimeSteps, RejectsIntervalsLongerThanTheRangeOfTimestamps) {
  for (Period p : {Period{0, 106751992, 0}, Period{2136000000, 0, 0}, Period{0, 106751991, 0},
                   Period{0, 1, 9'223'372'036'854'775'807LL}}) {
    try {
      TimeSteps steps(p);
      FAIL();
    } catch (const Error& e) {
      EXPECT_STREQ(e.sqlstate(), "22023");
    }
  }
}

TEST(TimeSteps, PeriodsPastTheRangeEndAtMaxvalue) {
  TimeSteps long_hours({0, 0, 2147483647LL * 3'600'000'000LL});
  Key first = long_hours.floor(at(2026, 11, 21));
  EXPECT_EQ(first, at(2000, 1, 1));
  Key second = long_hours.next(first);
  EXPECT_GT(second, first);
  EXPECT_EQ(long_hours.next(second), key_max);
  TimeSteps yearly({12, 0, 0});
  EXPECT_EQ(yearly.next(at(294276, 1, 1)), key_max);
  EXPECT_EQ(yearly.previous(at(-4712, 1, 1)), key_min);  // 4714-01-01 BC is before the range
  EXPECT_EQ(yearly.previous(key_max), at(294276, 1, 1));
  try {
    yearly.floor(key_min);
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.sqlstate(), "22008");
  }
}

// A retention of '1000000 years' once wrapped the cutoff into the future: every partition expired.
TEST(AddInterval, LeavingTheRangeOfTimestampsIsAnError) {
  EXPECT_FALSE(shift(at(2026, 11, 21), {12'000'000, 0, 0}, -1));
  EXPECT_FALSE(shift(at(2026, 11, 21), {0, 2147483647, 0}, -1));
  EXPECT_FALSE(shift(at(2026, 11, 21), {0, 0, 9'000'000'000'000'000'000LL}, -1));
  EXPECT_FALSE(shift(at(2026, 11, 21), {12 * 300000, 0, 0}, 1));
  EXPECT_EQ(shift(at(2026, 11, 21), {12 * 1000, 0, 0}, -1), at(1026, 11, 21));
  try {
    add_interval(at(2026, 11, 21), {12'000'000, 0, 0}, -1);
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.sqlstate(), "22008");
  }
}

}  // namespace
}  // namespace pgdb::partitions
