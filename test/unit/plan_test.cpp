#include "triggers/plan.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace pgdb::triggers {
namespace {

KeywordKind no_keywords(std::string_view) { return KeywordKind::not_keyword; }

TriggerDef def_named(const std::string& name) {
  TriggerDef def;
  def.name = name;
  return def;
}

TEST(PlanDeclared, NewTriggerIsCreated) {
  Step step = plan_declared(def_named("t"), "app.orders", "CREATE ...", Installed{}, no_keywords);
  EXPECT_EQ(step.action, Action::create);
  EXPECT_EQ(step.statements, std::vector<std::string>{"CREATE ..."});
  EXPECT_EQ(step.detail, "new trigger");
}

TEST(PlanDeclared, UnchangedWhenSpecAndDefinitionMatch) {
  Installed installed{true, "DEF", true, true, "DEF", true, true, "CREATE ..."};
  Step step = plan_declared(def_named("t"), "app.orders", "CREATE ...", installed, no_keywords);
  EXPECT_EQ(step.action, Action::unchanged);
  EXPECT_TRUE(step.statements.empty());
}

TEST(PlanDeclared, ReplacedWhenSpecChangedOrTriggerModified) {
  Installed changed{true, "DEF", true, false, "DEF"};
  EXPECT_EQ(plan_declared(def_named("t"), "x", "C", changed, no_keywords).action, Action::replace);
  EXPECT_EQ(plan_declared(def_named("t"), "x", "C", changed, no_keywords).detail, "spec changed");
  Installed modified{true, "DEF BY HAND", true, true, "DEF", true, true, "C"};
  EXPECT_EQ(plan_declared(def_named("t"), "x", "C", modified, no_keywords).action, Action::replace);
}

TEST(PlanDeclared, DisabledTriggerIsEnabledAgain) {
  Installed disabled{true, "DEF", true, true, "DEF", false, true, "C"};
  Step step = plan_declared(def_named("My T"), "app.orders", "C", disabled, no_keywords);
  EXPECT_EQ(step.action, Action::replace);
  EXPECT_EQ(step.statements,
            std::vector<std::string>{"ALTER TABLE app.orders ENABLE TRIGGER \"My T\""});
}

TEST(PlanDeclared, ADisabledManagedTriggerStaysDisabled) {
  Installed kept_off{true, "DEF", true, true, "DEF", false, false, "C"};
  EXPECT_EQ(plan_declared(def_named("t"), "x", "C", kept_off, no_keywords).action,
            Action::unchanged);
  Installed changed{true, "DEF", true, false, "DEF", false, false};
  Step step = plan_declared(def_named("t"), "x", "C", changed, no_keywords);
  EXPECT_EQ(step.action, Action::replace);
  EXPECT_EQ(step.statements, (std::vector<std::string>{"C", "ALTER TABLE x DISABLE TRIGGER t"}));
  Installed switched_on{true, "DEF", true, true, "DEF", true, false, "C"};
  EXPECT_EQ(plan_declared(def_named("t"), "x", "C", switched_on, no_keywords).statements,
            std::vector<std::string>{"ALTER TABLE x DISABLE TRIGGER t"});
}

TEST(PlanDeclared, OutdatedRenderingIsReplaced) {
  Installed outdated{true, "DEF", true, true, "DEF", true, true, "OLD RENDERING"};
  Step step = plan_declared(def_named("t"), "x", "C", outdated, no_keywords);
  EXPECT_EQ(step.action, Action::replace);
  EXPECT_EQ(step.statements, std::vector<std::string>{"C"});
}

TEST(PlanDeclared, MissingManagedTriggerIsRecreated) {
  Installed missing{false, "", true, true, "DEF"};
  Step step = plan_declared(def_named("t"), "x", "C", missing, no_keywords);
  EXPECT_EQ(step.action, Action::create);
  EXPECT_EQ(step.detail, "recorded but missing: recreated");
}

TEST(PlanDeclared, NeverTakesOverAnUnmanagedTrigger) {
  Installed foreign{true, "DEF", false, false, ""};
  try {
    plan_declared(def_named("audit"), "app.orders", "C", foreign, no_keywords);
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.sqlstate(), "42710");
  }
}

TEST(DropTriggerSql, QuotesTheName) {
  EXPECT_EQ(drop_trigger_sql("My Trigger", "app.orders", no_keywords),
            "DROP TRIGGER IF EXISTS \"My Trigger\" ON app.orders");
}

TEST(PlanPrune, DropsTheManagedTriggersTheSpecsDoNotDeclare) {
  std::vector<Step> steps =
      plan_prune("app.orders", {"keep", "old one", "stale"}, {"keep"}, {}, no_keywords);
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[0].action, Action::drop);
  EXPECT_EQ(steps[0].trigger_name, "old one");
  EXPECT_EQ(steps[0].detail, "not in specs");
  EXPECT_EQ(steps[0].statements,
            std::vector<std::string>{"DROP TRIGGER IF EXISTS \"old one\" ON app.orders"});
  EXPECT_EQ(steps[1].trigger_name, "stale");
}

TEST(PlanPrune, ATableNoSpecNamesLosesEveryManagedTrigger) {
  std::vector<Step> steps = plan_prune("app.orders", {"a", "b"}, {}, {}, no_keywords);
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[0].trigger_name, "a");
  EXPECT_EQ(steps[1].trigger_name, "b");
  EXPECT_EQ(steps[0].detail, "no spec for this table");
  EXPECT_TRUE(plan_prune("app.orders", {}, {}, {}, no_keywords).empty());
  EXPECT_TRUE(plan_prune("app.orders", {"a"}, {"a"}, {}, no_keywords).empty());
}

TEST(PlanPrune, DropsAHistoryTriggersTruncateCompanionWithIt) {
  std::vector<Step> steps = plan_prune("app.orders", {"h", "p"}, {}, {"h"}, no_keywords);
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[0].statements,
            (std::vector<std::string>{"DROP TRIGGER IF EXISTS h ON app.orders",
                                      "DROP TRIGGER IF EXISTS h_truncate ON app.orders"}));
  EXPECT_EQ(steps[1].statements,
            std::vector<std::string>{"DROP TRIGGER IF EXISTS p ON app.orders"});
}

TEST(PlanDeclared, CompanionNameTakenByAnotherTriggerIsRefused) {
  TriggerDef def = def_named("h");
  def.truncate_companion = "h_truncate";
  Installed taken;
  taken.companion_taken = true;
  try {
    plan_declared(def, "app.orders", "CREATE ...", taken, no_keywords);
    FAIL() << "expected 42710";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.sqlstate()), "42710");
  }
}

TEST(PlanDeclared, CompanionFollowsDisablingAndGoesWhenNoLongerNeeded) {
  TriggerDef def = def_named("h");
  def.truncate_companion = "h_truncate";
  Installed kept_off{true, "DEF", true, false, "DEF", false, false, "C"};
  Step step = plan_declared(def, "x", "C", kept_off, no_keywords);
  EXPECT_EQ(step.statements,
            (std::vector<std::string>{"C", "ALTER TABLE x DISABLE TRIGGER h",
                                      "ALTER TABLE x DISABLE TRIGGER h_truncate"}));
  Installed had{true, "DEF", true, false, "DEF", true, true, "C"};
  had.has_companion = true;
  step = plan_declared(def_named("h"), "x", "C", had, no_keywords);
  EXPECT_EQ(step.statements,
            (std::vector<std::string>{"C", "DROP TRIGGER IF EXISTS h_truncate ON x"}));
}

TEST(FullDdl, RendersTheDeclaredTriggerWhateverIsInstalled) {
  Step step = full_ddl_step(def_named("t"), "app.orders", "CREATE OR REPLACE TRIGGER t ...");
  EXPECT_EQ(step.action, Action::create);
  EXPECT_EQ(step.trigger_name, "t");
  EXPECT_EQ(step.statements, std::vector<std::string>{"CREATE OR REPLACE TRIGGER t ..."});
}

TEST(DdlScript, EndsEveryStatement) {
  Installed disabled_by_choice{true, "DEF", true, false, "DEF", false, false};
  std::vector<Step> steps = {
      plan_declared(def_named("t"), "x", "C", disabled_by_choice, no_keywords),
      plan_declared(def_named("u"), "x", "D",
                    Installed{true, "DEF", true, true, "DEF", true, true, "D"}, no_keywords),
      plan_prune("x", {"t", "u", "v"}, {"t", "u"}, {}, no_keywords).at(0)};
  EXPECT_EQ(ddl_script(steps),
            "C;\nALTER TABLE x DISABLE TRIGGER t;\nDROP TRIGGER IF EXISTS v ON x;\n");
  EXPECT_EQ(ddl_script({}), "");
}

}  // namespace
}  // namespace pgdb::triggers
