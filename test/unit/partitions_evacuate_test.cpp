#include "partitions/evacuate.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "partitions_helpers.hpp"

namespace pgdb::partitions {
namespace {

KeywordKind no_keywords(std::string_view) { return KeywordKind::not_keyword; }
const Quoting quoting{no_keywords};

// A monthly date set with partitions for January to March 2030 and a default partition.
SetFacts monthly(int premake = 1) {
  SetFacts facts;
  facts.settings.schema = "app";
  facts.settings.name = "ev";
  facts.settings.control = "at";
  facts.settings.interval_text = "1 month";
  facts.settings.premake = premake;
  facts.type = ControlType::date;
  facts.interval.period = {1, 0, 0};
  for (int m = 1; m <= 3; ++m)
    facts.partitions.push_back(
        {"ev_p20300" + std::to_string(m), day(2030, m, 1), day(2030, m + 1, 1)});
  facts.default_partition = DefaultPartition{"ev_default"};
  facts.now = day(2030, 2, 15);
  return facts;
}

std::unique_ptr<Steps> steps_of(const SetFacts& facts) {
  return make_steps(facts.settings, facts.type, facts.interval);
}

TEST(Evacuation, PlansThePeriodOfTheOldestRowOnly) {
  SetFacts facts = monthly();
  auto steps = steps_of(facts);
  // a row of 2031-07-09: far past the premade periods, only July 2031 is created
  EXPECT_EQ(summary(plan_evacuation(facts, *steps, day(2031, 7, 9), {})),
            (std::vector<std::string>{"move_rows ev_p203107", "create ev_p203107"}));
  // a row before every partition: its own period, nothing in between
  EXPECT_EQ(summary(plan_evacuation(facts, *steps, day(2020, 2, 29), {})),
            (std::vector<std::string>{"move_rows ev_p202002", "create ev_p202002"}));
  EXPECT_EQ(after_period(*steps, day(2031, 7, 9)), day(2031, 8, 1));
}

TEST(Evacuation, CreatesOnlyWhatHandMadePartitionsLeaveUncovered) {
  SetFacts facts = monthly();
  facts.partitions.push_back({"ev_hand", day(2031, 7, 10), day(2031, 7, 20)});
  auto steps = steps_of(facts);
  std::vector<Action> plan = plan_evacuation(facts, *steps, day(2031, 7, 25), {});
  ASSERT_EQ(plan.size(), 4u);
  EXPECT_EQ(plan[1].lower, day(2031, 7, 1));
  EXPECT_EQ(plan[1].upper, day(2031, 7, 10));
  EXPECT_EQ(plan[3].lower, day(2031, 7, 20));
  EXPECT_EQ(plan[3].upper, day(2031, 8, 1));
  EXPECT_NE(plan[1].name, plan[3].name);
}

TEST(Evacuation, NeverRetiresNorCreatesADefault) {
  SetFacts facts = monthly();
  facts.settings.retention = "1 month";
  facts.retention = Width{{1, 0, 0}, 0};
  facts.default_partition.reset();
  auto steps = steps_of(facts);
  for (const Action& a : plan_evacuation(facts, *steps, day(2031, 1, 1), {})) {
    EXPECT_FALSE(retires(a));
    EXPECT_NE(a.kind, Action::Kind::create_default);
  }
}

TEST(Evacuation, TheWindowStartsAtTheKeptPeriodOfTheRetentionCutoff) {
  SetFacts facts = monthly();
  auto steps = steps_of(facts);
  EXPECT_FALSE(evacuation_window(facts, *steps).from);
  facts.settings.retention = "1 month";
  facts.retention = Width{{1, 0, 0}, 0};
  // now 2030-02-15, cutoff 2030-01-15: January is kept (not wholly below), December is not
  EXPECT_EQ(evacuation_window(facts, *steps).from, day(2030, 1, 1));
  EXPECT_FALSE(evacuation_window(facts, *steps).until);  // time sets have no outliers
}

TEST(Evacuation, IntegerOutliersStayBeyondOneRunway) {
  SetFacts facts;
  facts.settings.schema = "app";
  facts.settings.name = "ids";
  facts.settings.control = "id";
  facts.settings.premake = 2;
  facts.type = ControlType::int8;
  facts.interval.count = 100;
  facts.partitions = {{"ids_p0", 0, 100}, {"ids_p100", 100, 200}, {"ids_p200", 200, 300}};
  facts.default_partition = DefaultPartition{"ids_default"};
  facts.now = 250;
  auto steps = steps_of(facts);
  EvacuationWindow window = evacuation_window(facts, *steps);
  EXPECT_EQ(window.until, 600);  // 300 + (premake + 1) * 100
  EXPECT_EQ(oldest_sql(facts, window, 400, quoting),
            "SELECT pg_catalog.min(id), pg_catalog.max(id) FROM app.ids_default WHERE id IS NOT "
            "NULL AND id >= 400 AND id < 600");
  EXPECT_EQ(staying_sql(facts, window, quoting),
            "SELECT pg_catalog.count(*), pg_catalog.count(*) FILTER (WHERE id IS NULL), 0::int8, "
            "pg_catalog.count(*) FILTER (WHERE id >= 600) FROM app.ids_default");
  facts.partitions.clear();  // nothing to stand on yet: every row may leave
  EXPECT_FALSE(evacuation_window(facts, *steps).until);
}

TEST(Evacuation, TimeSearchesLeaveInfiniteValuesOut) {
  SetFacts facts = monthly();
  facts.settings.name = "Odd \"name";
  facts.default_partition = DefaultPartition{"Odd \"name_default"};
  auto steps = steps_of(facts);
  EXPECT_EQ(
      oldest_sql(facts, EvacuationWindow{day(2030, 1, 1), std::nullopt}, std::nullopt, quoting),
      "SELECT pg_catalog.min(at), pg_catalog.max(at) FROM app.\"Odd \"\"name_default\" WHERE at "
      "IS NOT NULL AND "
      "at >= DATE '2030-01-01' AND at > '-infinity' AND at < 'infinity'");
}

TEST(Evacuation, SaysWhichRowsStayAndWhy) {
  EXPECT_FALSE(staying_notice({}, "app.ev", "at", std::nullopt, std::nullopt));
  EXPECT_EQ(staying_notice({1, 1, 0, 0}, "app.ev", "at", std::nullopt, std::nullopt),
            "1 row stays in the default partition of app.ev: 1 row with a NULL at");
  EXPECT_EQ(staying_notice({10, 1, 3, 4}, "app.ev", "at", "2030-01-01", "600"),
            "10 rows stay in the default partition of app.ev: 1 row with a NULL at; 3 rows "
            "before 2030-01-01, in periods that retention has removed; 4 rows at or past 600, "
            "more than one runway beyond the newest partition (maintenance moves them when the "
            "set reaches their period); 2 rows with an infinite at");
  EXPECT_EQ(batch_notice("app.ev", 2, 1, 0),
            "evacuate_default(app.ev): batch 2 moved 1 row, 0 left in the default partition");
}

TEST(Evacuation, BatchSizeMustBePositive) {
  EXPECT_NO_THROW(check_batch_size(1));
  for (std::int64_t bad : {0, -1}) {
    try {
      check_batch_size(bad);
      FAIL() << bad;
    } catch (const Error& e) {
      EXPECT_STREQ(e.sqlstate(), "22023");
    }
  }
}

}  // namespace
}  // namespace pgdb::partitions
