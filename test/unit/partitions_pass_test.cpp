#include "partitions/pass.hpp"

#include <gtest/gtest.h>

#include "partitions/settings.hpp"
#include "partitions_helpers.hpp"

namespace pgdb::partitions {
namespace {

// A daily timestamptz set with a default partition and the given partitions, at noon on now.
SetFacts daily_set(std::vector<Partition> partitions, Key today, int premake = 1) {
  SetFacts facts;
  facts.settings.schema = "app";
  facts.settings.name = "ev";
  facts.settings.control = "at";
  facts.settings.interval_text = "1 day";
  facts.settings.premake = premake;
  facts.type = ControlType::timestamptz;
  facts.interval.period = {0, 1, 0};
  facts.partitions = std::move(partitions);
  facts.default_partition = DefaultPartition{"ev_default"};
  facts.now = today + micros_per_day / 2;
  return facts;
}

Partition daily(int y, int mo, int d) {
  char label[16];
  std::snprintf(label, sizeof label, "%04d%02d%02d", y, mo, d);
  Key lower = day(y, mo, d);
  return {std::string("ev_p") + label, lower, lower + micros_per_day};
}

PassPlan plan_of(const SetFacts& facts, PassOptions options = {}) {
  std::unique_ptr<Steps> steps = make_steps(facts.settings, facts.type, facts.interval);
  return plan_pass(facts, *steps, options, "app.ev", {});
}

TEST(PlanPass, KeepsTheCurrentAndPremadePeriodsCovered) {
  SetFacts facts = daily_set({daily(2026, 11, 21)}, day(2026, 11, 21));
  EXPECT_EQ(summary(plan_of(facts).actions),
            (std::vector<std::string>{"move_rows ev_p20261122", "create ev_p20261122"}));
  facts.default_partition.reset();
  EXPECT_EQ(summary(plan_of(facts).actions),
            (std::vector<std::string>{"create ev_p20261122", "create ev_default"}));
}

// Daily partitions from the 15th to the 22nd, at noon on the 21st, with retention '3 days': the
// cutoff is noon on the 18th, so the 15th, 16th and 17th have expired.
SetFacts week_with_retention(int retention_limit) {
  std::vector<Partition> parts;
  for (int d = 15; d <= 22; ++d) parts.push_back(daily(2026, 11, d));
  SetFacts facts = daily_set(parts, day(2026, 11, 21));
  facts.settings.retention = "3 days";
  facts.retention = Width{{0, 3, 0}, 0};
  facts.settings.retention_limit = retention_limit;
  return facts;
}

TEST(PlanPass, RetentionDropsOrDetachesWhatExpired) {
  SetFacts facts = week_with_retention(100);
  EXPECT_EQ(
      summary(plan_of(facts).actions),
      (std::vector<std::string>{"drop ev_p20261115", "drop ev_p20261116", "drop ev_p20261117"}));
  facts.settings.retention_mode = "detach";
  EXPECT_EQ(summary(plan_of(facts).actions),
            (std::vector<std::string>{"detach ev_p20261115", "detach ev_p20261116",
                                      "detach ev_p20261117"}));
  facts.settings.retention_mode = "archive";
  EXPECT_EQ(plan_of(facts).actions.at(0).kind, Action::Kind::archive);
}

TEST(PlanPass, RetiringMoreThanTheLimitIsRefusedUnlessForced) {
  SetFacts facts = week_with_retention(25);  // 3 of 8 is 37%
  PassPlan refused = plan_of(facts);
  EXPECT_TRUE(refused.actions.empty());
  ASSERT_TRUE(refused.refusal);
  EXPECT_NE(refused.refusal->find("retire 3 of the 8 partitions of app.ev"), std::string::npos);
  PassPlan forced = plan_of(facts, {false, true});
  EXPECT_FALSE(forced.refusal);
  EXPECT_EQ(forced.actions.size(), 3u);
}

TEST(PlanPass, ATimeSetResumesFromItsNewestPartitionAfterAnOutage) {
  SetFacts facts = daily_set({daily(2026, 11, 10)}, day(2026, 11, 13), 0);
  EXPECT_EQ(summary(plan_of(facts).actions),
            (std::vector<std::string>{"move_rows ev_p20261111", "create ev_p20261111",
                                      "move_rows ev_p20261112", "create ev_p20261112",
                                      "move_rows ev_p20261113", "create ev_p20261113"}));
}

TEST(PlanPass, AnIntegerSetDoesNotFillTheGapToAnOutlier) {
  SetFacts facts;
  facts.settings.name = "ids";
  facts.settings.premake = 0;
  facts.type = ControlType::int8;
  facts.interval.count = 100;
  facts.partitions = {{"ids_p0", 0, 100}};
  facts.now = 1000;
  EXPECT_EQ(summary(plan_of(facts).actions),
            (std::vector<std::string>{"create ids_p1000", "create ids_default"}));
}

TEST(PlanPass, OnlyRegistrationBackfillsFromStartAt) {
  SetFacts facts = daily_set({}, day(2026, 11, 21), 0);
  facts.default_partition.reset();
  facts.start = day(2026, 11, 19);
  EXPECT_EQ(summary(plan_of(facts, {true, false}).actions),
            (std::vector<std::string>{"create ev_p20261119", "create ev_p20261120",
                                      "create ev_p20261121", "create ev_default"}));
  EXPECT_EQ(summary(plan_of(facts).actions),
            (std::vector<std::string>{"create ev_p20261121", "create ev_default"}));
}

TEST(PlanPass, IntegerRetentionCountsBackFromNow) {
  SetFacts facts;
  facts.settings.name = "ids";
  facts.settings.premake = 0;
  facts.settings.retention = "200";
  facts.settings.retention_limit = 100;
  facts.type = ControlType::int4;
  facts.interval.count = 100;
  facts.retention = Width{{}, 200};
  facts.partitions = {
      {"ids_p0", 0, 100}, {"ids_p100", 100, 200}, {"ids_p200", 200, 300}, {"ids_p300", 300, 400}};
  facts.now = 350;
  facts.default_partition = DefaultPartition{"ids_default"};
  EXPECT_EQ(summary(plan_of(facts).actions), (std::vector<std::string>{"drop ids_p0"}));
}

TEST(PlanPass, RetentionBeyondTheRangeOfTimestampsIsAnError) {
  SetFacts facts = daily_set({}, day(2026, 11, 21));
  facts.settings.retention = "7000 years";
  facts.retention = Width{{7000 * 12, 0, 0}, 0};
  try {
    plan_of(facts);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.sqlstate(), "22008");
    EXPECT_STREQ(e.what(), "retention \"7000 years\" reaches before the range of timestamps");
  }
}

TEST(MakeSteps, DateSetsNeedWholeDays) {
  Settings s;
  s.control = "d";
  s.interval_text = "1 hour";
  try {
    make_steps(s, ControlType::date, Width{{0, 0, 3'600'000'000LL}, 0});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.sqlstate(), "22023");
    EXPECT_STREQ(e.what(),
                 "partition_interval \"1 hour\" is shorter than a day, but d is a date column");
  }
  EXPECT_EQ(make_steps(s, ControlType::int4, Width{{}, 10})->next(2147483640), key_max);
  EXPECT_EQ(make_steps(s, ControlType::int8, Width{{}, 10})->label(-20), "m20");
}

TEST(Outcomes, NamesAndWhatARunRecords) {
  EXPECT_STREQ(outcome_name(outcome_of(Action::Kind::create_default)), "create");
  EXPECT_STREQ(outcome_name(outcome_of(Action::Kind::move_rows)), "move_rows");
  EXPECT_STREQ(outcome_name(outcome_of(Action::Kind::archive)), "archive");
  EXPECT_STREQ(outcome_name(OutcomeKind::error), "error");
  std::vector<Outcome> outcomes = {{OutcomeKind::drop, "a", ""},
                                   {OutcomeKind::move_rows, "b", ""},
                                   {OutcomeKind::create, "b", ""},
                                   error_outcome("55000", "refused"),
                                   error_outcome("42P07", "taken")};
  EXPECT_EQ(recorded_actions(outcomes), 2);
  EXPECT_EQ(count_of(outcomes, OutcomeKind::create), 1);
  EXPECT_EQ(recorded_error(outcomes, std::nullopt), "55000: refused; 42P07: taken");
  EXPECT_EQ(recorded_error(outcomes, std::string("XX: whole")),
            "XX: whole; 55000: refused; 42P07: taken");
  EXPECT_EQ(recorded_error({}, std::nullopt), std::nullopt);
}

TEST(Settings, WidthsStartsAndModes) {
  EXPECT_EQ(parse_width("100000", "partition_interval"), 100000);
  auto state_of = [](auto&& f) {
    try {
      f();
    } catch (const Error& e) {
      return std::string(e.sqlstate()) + " " + e.what();
    }
    return std::string("ok");
  };
  EXPECT_EQ(state_of([] { parse_width("99999999999999999999", "retention"); }),
            "22003 retention \"99999999999999999999\" is out of range for bigint");
  EXPECT_EQ(state_of([] { parse_width("-5", "retention"); }),
            "22023 retention must be a positive integer for an integer column, not \"-5\"");
  EXPECT_EQ(state_of([] { parse_width("1 day", "partition_interval"); }).substr(0, 5), "22023");
  EXPECT_EQ(parse_integer_start("-42", ControlType::int4, "id"), -42);
  EXPECT_EQ(
      state_of([] { parse_integer_start("3000000000", ControlType::int4, "id"); }).substr(0, 5),
      "22003");
  EXPECT_EQ(state_of([] { parse_integer_start("x", ControlType::int8, "id"); }),
            "22023 start_at \"x\" is not an integer");
  Settings s;
  EXPECT_EQ(state_of([&] { check_modes(s); }), "ok");
  s.retention_mode = "archive";
  EXPECT_EQ(state_of([&] { check_modes(s); }), "22023 retention_mode archive needs archive_schema");
  s.retention_mode = "truncate";
  EXPECT_EQ(state_of([&] { check_modes(s); }),
            "22023 retention_mode must be drop, detach or archive, not \"truncate\"");
  s.retention_mode = "drop";
  s.retention_limit = 101;
  EXPECT_EQ(state_of([&] { check_modes(s); }).substr(0, 5), "22023");
}

}  // namespace
}  // namespace pgdb::partitions
