#include "partitions/planner.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace pgdb::partitions {
namespace {

Key day(int y, int mo, int d) { return from_civil({y, mo, d, 0, 0, 0, 0}); }

std::vector<std::string> summary(const std::vector<Action>& actions) {
  std::vector<std::string> out;
  for (const Action& a : actions) out.push_back(std::string(kind_name(a.kind)) + " " + a.name);
  return out;
}

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

TEST(Planner, LongParentNamesStayWithin63Bytes) {
  SetConfig c = config_for(std::string(60, 'e'), 0);
  c.default_partition = true;
  for (const Action& a : plan_maintenance(c, daily, SetState{}, day(2026, 11, 21)))
    EXPECT_LE(a.name.size(), 63u);
}

}  // namespace
}  // namespace pgdb::partitions
