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

}  // namespace
}  // namespace pgdb::triggers
