#include "partitions/planner.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "partitions_helpers.hpp"

namespace pgdb::partitions {
namespace {

const TimeSteps daily({0, 1, 0});

SetConfig config_for(const std::string& parent, int premake) {
  SetConfig c;
  c.parent = parent;
  c.premake = premake;
  return c;
}

TEST(Planner, NewSetCreatesCurrentPlusPremakeAndTheDefault) {
  SetConfig c = config_for("events", 2);
  std::vector<Action> plan = plan_maintenance(c, daily, SetState{}, day(2026, 11, 21) + 3600);
  EXPECT_EQ(summary(plan),
            (std::vector<std::string>{"create events_p20261121", "create events_p20261122",
                                      "create events_p20261123", "create events_default"}));
  EXPECT_EQ(plan[0].lower, day(2026, 11, 21));
  EXPECT_EQ(plan[0].upper, day(2026, 11, 22));
}

TEST(Planner, NothingToDoWhenCovered) {
  SetConfig c = config_for("events", 1);
  SetState s;
  s.has_default = true;
  s.partitions = {{"a", day(2026, 11, 21), day(2026, 11, 22)},
                  {"b", day(2026, 11, 22), day(2026, 11, 23)}};
  EXPECT_TRUE(plan_maintenance(c, daily, s, day(2026, 11, 21)).empty());
}

TEST(Planner, FillsGapsAndMovesRowsOutOfTheDefaultFirst) {
  SetConfig c = config_for("events", 2);
  c.start = day(2026, 11, 20);
  SetState s;
  s.has_default = true;
  s.partitions = {{"a", day(2026, 11, 20), day(2026, 11, 21)},
                  {"c", day(2026, 11, 22), day(2026, 11, 23)}};
  EXPECT_EQ(summary(plan_maintenance(c, daily, s, day(2026, 11, 21))),
            (std::vector<std::string>{"move_rows events_p20261121", "create events_p20261121",
                                      "move_rows events_p20261123", "create events_p20261123"}));
}

TEST(Planner, HandMadePartitionsAreLeftAloneAndOnlyUncoveredPiecesCreated) {
  SetConfig c = config_for("events", 0);
  SetState s;
  s.has_default = true;
  // a hand-made partition covering the middle of the day
  s.partitions = {{"manual", day(2026, 11, 21) + 6 * 3600 * 1000000LL,
                   day(2026, 11, 21) + 12 * 3600 * 1000000LL}};
  std::vector<Action> plan = plan_maintenance(c, daily, s, day(2026, 11, 21));
  ASSERT_EQ(plan.size(), 4u);
  EXPECT_EQ(plan[1].lower, day(2026, 11, 21));
  EXPECT_EQ(plan[1].upper, day(2026, 11, 21) + 6 * 3600 * 1000000LL);
  EXPECT_EQ(plan[3].lower, day(2026, 11, 21) + 12 * 3600 * 1000000LL);
  EXPECT_EQ(plan[3].upper, day(2026, 11, 22));
  EXPECT_NE(plan[1].name, plan[3].name);  // both start on the same day: the second gets _2
}

TEST(Planner, ExistingNamesAreNeverReused) {
  SetConfig c = config_for("events", 0);
  SetState s;
  s.has_default = true;
  s.name_taken = [](const std::string& name) { return name == "events_p20261121"; };
  EXPECT_EQ(
      summary(plan_maintenance(c, daily, s, day(2026, 11, 21))),
      (std::vector<std::string>{"move_rows events_p20261121_2", "create events_p20261121_2"}));
}

TEST(Planner, RetentionRetiresWhollyExpiredPartitionsOnly) {
  SetConfig c = config_for("events", 0);
  c.retention = Retention::detach;
  c.retention_cutoff = day(2026, 11, 20) + 1;  // 7 days ago, mid-day
  SetState s;
  s.has_default = true;
  s.partitions = {{"old", day(2026, 11, 19), day(2026, 11, 20)},
                  {"straddles", day(2026, 11, 20), day(2026, 11, 21)},
                  {"now", day(2026, 11, 21), day(2026, 11, 22)}};
  EXPECT_EQ(summary(plan_maintenance(c, daily, s, day(2026, 11, 21))),
            (std::vector<std::string>{"detach old"}));
}

TEST(Planner, NothingBelowTheCutoffIsCreated) {
  SetConfig c = config_for("events", 0);
  c.start = day(2026, 1, 1);
  c.retention = Retention::drop;
  c.retention_cutoff = day(2026, 11, 20);
  SetState s;
  s.has_default = true;
  EXPECT_EQ(summary(plan_maintenance(c, daily, s, day(2026, 11, 21))),
            (std::vector<std::string>{"move_rows events_p20261120", "create events_p20261120",
                                      "move_rows events_p20261121", "create events_p20261121"}));
}

TEST(Planner, FarPastStartIsBoundedByTheLimit) {
  SetConfig c = config_for("events", 0);
  c.start = day(1800, 1, 1);
  c.default_partition = false;
  try {
    plan_maintenance(c, TimeSteps({0, 0, 60LL * 1000000}), SetState{}, day(2026, 11, 21));
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.sqlstate(), "22023");
  }
  std::vector<Action> plan = plan_maintenance(c, daily, SetState{}, day(2026, 11, 21));
  EXPECT_EQ(plan.size(),
            static_cast<std::size_t>((day(2026, 11, 22) - day(1800, 1, 1)) / micros_per_day));
}

TEST(Planner, IntegerSetsStopAtTheTypesEnd) {
  SetConfig c = config_for("ids", 5);
  c.default_partition = false;
  IntegerSteps steps(1000000000, -2147483648LL, 2147483647);
  std::vector<Action> plan = plan_maintenance(c, steps, SetState{}, 1500000000);
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(plan[0].lower, 1000000000);
  EXPECT_EQ(plan[1].lower, 2000000000);
  EXPECT_EQ(plan[1].upper, key_max);
  EXPECT_EQ(plan[1].name, "ids_p2000000000");
}

// Steps that never advance: the planner stops with an error instead of spinning.
class StuckSteps final : public Steps {
 public:
  Key floor(Key key) const override { return key; }
  Key next(Key boundary) const override { return boundary; }
  Key previous(Key boundary) const override { return boundary; }
  std::string label(Key) const override { return "x"; }
};

TEST(Planner, StepsThatDoNotAdvanceAreAnErrorNotASpin) {
  SetConfig c = config_for("ids", 2);
  EXPECT_THROW(plan_maintenance(c, StuckSteps{}, SetState{}, 0), Error);
}

TEST(Planner, LongWalksOverCoveredPeriodsAreBoundedAndInterruptible) {
  SetConfig c = config_for("events", 0);
  c.start = day(1800, 1, 1);
  SetState s;
  s.has_default = true;
  s.partitions = {{"everything", key_min, key_max}};
  int checks = 0;
  s.check_for_interrupts = [&] { ++checks; };
  try {
    plan_maintenance(c, TimeSteps({0, 0, 60LL * 1000000}), s, day(2026, 11, 21));
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.sqlstate(), "22023");
  }
  EXPECT_GT(checks, 200);
}

TEST(IntegerFrontier, FromTheNewestFinitePartition) {
  IntegerSteps steps(100, -2147483648LL, 2147483647);
  std::vector<Partition> parts = {{"a", 0, 100}, {"b", 100, 200}, {"c", 200, 300}};
  std::optional<IntegerFrontier> f = integer_frontier(steps, parts, 1);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->frontier, 300);
  EXPECT_EQ(f->current, 100);
  EXPECT_EQ(f->outlier_from, 500);
  parts.push_back({"tail", 2147483600, key_max});  // a partition to MAXVALUE is not the frontier
  EXPECT_EQ(integer_frontier(steps, parts, 1)->frontier, 300);
  EXPECT_FALSE(integer_frontier(steps, {}, 1));
  EXPECT_EQ(integer_frontier(steps, {{"top", 2147483500, 2147483600}}, 3)->outlier_from, key_max);
}

// One stray id of 9000000000000000000 once made retention drop every partition of an id set: it
// lies past outlier_from, so the executor does not count it as the set's position.
TEST(IntegerFrontier, AStrayValueIsAnOutlier) {
  IntegerSteps steps(100, key_min, key_max - 1);
  std::vector<Partition> parts = {{"a", 0, 100}, {"b", 100, 200}, {"c", 200, 300}};
  std::optional<IntegerFrontier> f = integer_frontier(steps, parts, 1);
  EXPECT_LT(f->outlier_from, 9000000000000000000LL);
  EXPECT_EQ(saturating_minus(key_min + 5, 100), key_min);
  EXPECT_EQ(saturating_minus(200, 100), 100);
}

TEST(RetirementRefusal, MoreThanTheLimitAndMoreThanOne) {
  auto drops = [](int n) {
    std::vector<Action> plan;
    for (int i = 0; i < n; ++i) plan.push_back({Action::Kind::drop, "p" + std::to_string(i)});
    plan.push_back({Action::Kind::create, "new"});
    return plan;
  };
  EXPECT_FALSE(retirement_refusal(drops(2), 4, 50, "t"));
  EXPECT_FALSE(retirement_refusal(drops(1), 1, 50, "t"));  // one at a time always goes
  std::optional<std::string> refusal = retirement_refusal(drops(3), 4, 50, "t");
  ASSERT_TRUE(refusal);
  EXPECT_NE(refusal->find("3 of the 4 partitions of t"), std::string::npos);
  EXPECT_FALSE(retirement_refusal(drops(4), 4, 100, "t"));
  EXPECT_TRUE(retirement_refusal(drops(2), 10, 0, "t"));
}

TEST(SettingChecks, PremakeRetentionLimitAndIntegerSettings) {
  EXPECT_NO_THROW(check_premake(0));
  EXPECT_NO_THROW(check_premake(10000));
  EXPECT_THROW(check_premake(-1), Error);
  EXPECT_THROW(check_premake(2147483647), Error);
  EXPECT_NO_THROW(check_retention_limit(0));
  EXPECT_NO_THROW(check_retention_limit(100));
  EXPECT_THROW(check_retention_limit(101), Error);
  EXPECT_NO_THROW(
      check_integer_setting("start_at", "id", -2147483648LL, -2147483648LL, 2147483647));
  try {
    check_integer_setting("start_at", "id", 3000000000LL, -2147483648LL, 2147483647);
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.sqlstate(), "22003");
    EXPECT_EQ(std::string(e.what()), "start_at \"3000000000\" is out of range for the type of id");
  }
}

TEST(Planner, LongParentNamesStayWithin63Bytes) {
  SetConfig c = config_for(std::string(60, 'e'), 0);
  c.default_partition = true;
  for (const Action& a : plan_maintenance(c, daily, SetState{}, day(2026, 11, 21)))
    EXPECT_LE(a.name.size(), 63u);
}

}  // namespace
}  // namespace pgdb::partitions
