#include "triggers/kinds.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace pgdb::triggers {
namespace {

KeywordKind no_keywords(std::string_view) { return KeywordKind::not_keyword; }

const Target orders{"app", "orders", "app.orders"};

std::optional<std::string> orders_columns(std::string_view column) {
  if (column == "updated_at") return "timestamp with time zone";
  if (column == "is_active") return "boolean";
  if (column == "version") return "integer";
  if (column == "State") return "text";
  if (column == "modified_on") return "date";
  if (column == "status") return "text";
  return std::nullopt;
}

Spec spec_of(std::initializer_list<std::pair<std::string, Json>> members) {
  Json o = Json::object();
  for (const auto& [k, v] : members) o.set(k, v);
  return parse_spec(o, 1);
}

std::string sqlstate_of(Spec spec) {
  try {
    build_trigger(spec, orders, orders_columns);
  } catch (const Error& e) {
    return e.sqlstate();
  }
  return "none";
}

TEST(BuildProtect, DefaultsToUpdateAndDeleteRowTrigger) {
  Spec spec = spec_of({{"kind", Json::from_string("protect")}, {"tbl", Json::from_string("x")}});
  TriggerDef def = build_trigger(spec, orders, orders_columns);
  EXPECT_EQ(create_trigger_sql(def, no_keywords),
            "CREATE OR REPLACE TRIGGER pgdb_protect_orders BEFORE UPDATE OR DELETE ON app.orders "
            "FOR EACH ROW EXECUTE FUNCTION pgdb_tools._trigger_protect('')");
}

TEST(BuildProtect, NormalizesOperationOrderAndKeepsMessage) {
  Spec spec = spec_of({{"kind", Json::from_string("protect")},
                       {"tbl", Json::from_string("x")},
                       {"operations", Json::from_strings({"delete", "INSERT"})},
                       {"message", Json::from_string("orders are forever")},
                       {"name", Json::from_string("keep")}});
  TriggerDef def = build_trigger(spec, orders, orders_columns);
  EXPECT_EQ(to_json_text(spec.arg("operations")), "[\"INSERT\", \"DELETE\"]");
  EXPECT_EQ(def.name, "keep");
  EXPECT_EQ(def.args, std::vector<std::string>{"orders are forever"});
  EXPECT_EQ(def.events, event_insert | event_delete);
}

TEST(BuildProtect, TruncateIsStatementLevelAndAlone) {
  Spec spec = spec_of({{"kind", Json::from_string("protect")},
                       {"tbl", Json::from_string("x")},
                       {"operations", Json::from_strings({"TRUNCATE"})}});
  EXPECT_EQ(build_trigger(spec, orders, orders_columns).level, Level::statement);
  EXPECT_EQ(sqlstate_of(spec_of({{"kind", Json::from_string("protect")},
                                 {"tbl", Json::from_string("x")},
                                 {"operations", Json::from_strings({"TRUNCATE", "DELETE"})}})),
            "22023");
  EXPECT_EQ(sqlstate_of(spec_of({{"kind", Json::from_string("protect")},
                                 {"tbl", Json::from_string("x")},
                                 {"operations", Json::from_strings({"TRUNCATE"})},
                                 {"condition", Json::from_string("true")}})),
            "22023");
}

TEST(BuildUpdatedAt, UpdateOnlyByDefault) {
  Spec spec = spec_of({{"kind", Json::from_string("updated_at")}, {"tbl", Json::from_string("x")}});
  TriggerDef def = build_trigger(spec, orders, orders_columns);
  EXPECT_EQ(create_trigger_sql(def, no_keywords),
            "CREATE OR REPLACE TRIGGER pgdb_updated_at_orders BEFORE UPDATE ON app.orders FOR "
            "EACH ROW EXECUTE FUNCTION pgdb_tools._trigger_updated_at('updated_at')");
}

TEST(BuildUpdatedAt, OnInsertAddsInsertAndDateColumnsWork) {
  Spec spec = spec_of({{"kind", Json::from_string("updated_at")},
                       {"tbl", Json::from_string("x")},
                       {"column_name", Json::from_string("modified_on")},
                       {"on_insert", Json::from_bool(true)}});
  TriggerDef def = build_trigger(spec, orders, orders_columns);
  EXPECT_EQ(def.events, event_insert | event_update);
  EXPECT_EQ(def.args, std::vector<std::string>{"modified_on"});
}

TEST(BuildUpdatedAt, RejectsMissingAndMistypedColumns) {
  EXPECT_EQ(sqlstate_of(spec_of({{"kind", Json::from_string("updated_at")},
                                 {"tbl", Json::from_string("x")},
                                 {"column_name", Json::from_string("nope")}})),
            "42703");
  EXPECT_EQ(sqlstate_of(spec_of({{"kind", Json::from_string("updated_at")},
                                 {"tbl", Json::from_string("x")},
                                 {"column_name", Json::from_string("status")}})),
            "42804");
}

TEST(BuildReadOnly, ListedOrAllButExcepted) {
  Spec listed = spec_of({{"kind", Json::from_string("read_only")},
                         {"tbl", Json::from_string("x")},
                         {"columns", Json::from_strings({"status", "updated_at"})}});
  EXPECT_EQ(build_trigger(listed, orders, orders_columns).args,
            (std::vector<std::string>{"only", "status", "updated_at"}));
  Spec all = spec_of({{"kind", Json::from_string("read_only")}, {"tbl", Json::from_string("x")}});
  TriggerDef def = build_trigger(all, orders, orders_columns);
  EXPECT_EQ(def.args, std::vector<std::string>{"except"});
  EXPECT_EQ(def.events, unsigned(event_update));
}

TEST(BuildReadOnly, RejectsBothEmptyAndMissing) {
  EXPECT_EQ(sqlstate_of(spec_of({{"kind", Json::from_string("read_only")},
                                 {"tbl", Json::from_string("x")},
                                 {"columns", Json::from_strings({"status"})},
                                 {"except_columns", Json::from_strings({"status"})}})),
            "22023");
  EXPECT_EQ(sqlstate_of(spec_of({{"kind", Json::from_string("read_only")},
                                 {"tbl", Json::from_string("x")},
                                 {"columns", Json::from_strings({})}})),
            "22023");
  EXPECT_EQ(sqlstate_of(spec_of({{"kind", Json::from_string("read_only")},
                                 {"tbl", Json::from_string("x")},
                                 {"except_columns", Json::from_strings({"ghost"})}})),
            "42703");
}

TEST(BuildRowVersion, IntegerColumnAndStaleFlag) {
  Spec spec = spec_of({{"kind", Json::from_string("row_version")},
                       {"tbl", Json::from_string("x")},
                       {"check_stale", Json::from_bool(false)}});
  EXPECT_EQ(build_trigger(spec, orders, orders_columns).args,
            (std::vector<std::string>{"version", "no_check"}));
  EXPECT_EQ(sqlstate_of(spec_of({{"kind", Json::from_string("row_version")},
                                 {"tbl", Json::from_string("x")},
                                 {"column_name", Json::from_string("status")}})),
            "42804");
}

TEST(BuildSoftDelete, DefaultsByColumnType) {
  Spec flag = spec_of({{"kind", Json::from_string("soft_delete")},
                       {"tbl", Json::from_string("x")},
                       {"column_name", Json::from_string("is_active")}});
  TriggerDef def = build_trigger(flag, orders, orders_columns);
  EXPECT_EQ(def.args, (std::vector<std::string>{"is_active", "false", ""}));
  EXPECT_EQ(def.events, unsigned(event_delete));
  Spec stamp = spec_of({{"kind", Json::from_string("soft_delete")},
                        {"tbl", Json::from_string("x")},
                        {"column_name", Json::from_string("updated_at")}});
  EXPECT_EQ(build_trigger(stamp, orders, orders_columns).args[1], "now");
  Spec valued = spec_of({{"kind", Json::from_string("soft_delete")},
                         {"tbl", Json::from_string("x")},
                         {"column_name", Json::from_string("status")},
                         {"value", Json::from_string("gone")}});
  EXPECT_EQ(build_trigger(valued, orders, orders_columns).args,
            (std::vector<std::string>{"status", "value", "gone"}));
  EXPECT_EQ(sqlstate_of(spec_of({{"kind", Json::from_string("soft_delete")},
                                 {"tbl", Json::from_string("x")},
                                 {"column_name", Json::from_string("status")}})),
            "22023");
}

TEST(BuildFsm, WhenHoldsOnlyTheUsersCondition) {
  Json transitions = Json::object();
  transitions.set("draft", Json::from_strings({"published"}));
  Spec spec = spec_of({{"kind", Json::from_string("fsm")},
                       {"tbl", Json::from_string("x")},
                       {"column_name", Json::from_string("State")},
                       {"transitions", transitions},
                       {"condition", Json::from_string("NEW.x > 0")}});
  TriggerDef def = build_trigger(spec, orders, orders_columns);
  // No generated IS DISTINCT FROM: its = would resolve in the creator's search_path.
  EXPECT_EQ(*def.condition, "NEW.x > 0");
  EXPECT_EQ(def.args, (std::vector<std::string>{"State", "{\"draft\": [\"published\"]}"}));
  // the recorded spec keeps the user's own condition
  EXPECT_EQ(*spec.condition, "NEW.x > 0");
  spec.condition.reset();
  EXPECT_FALSE(build_trigger(spec, orders, orders_columns).condition.has_value());
}

TEST(BuildFsm, RejectsMalformedTransitions) {
  Json bad = Json::object();
  bad.set("draft", Json::from_string("published"));
  EXPECT_EQ(sqlstate_of(spec_of({{"kind", Json::from_string("fsm")},
                                 {"tbl", Json::from_string("x")},
                                 {"column_name", Json::from_string("State")},
                                 {"transitions", bad}})),
            "22023");
  EXPECT_EQ(sqlstate_of(spec_of({{"kind", Json::from_string("fsm")},
                                 {"tbl", Json::from_string("x")},
                                 {"column_name", Json::from_string("State")},
                                 {"transitions", Json::object()}})),
            "22023");
}

}  // namespace
}  // namespace pgdb::triggers

namespace pgdb::triggers {
namespace {

Spec history_spec(std::initializer_list<std::pair<std::string, Json>> extra) {
  Json o = Json::object();
  o.set("kind", Json::from_string("history"));
  o.set("tbl", Json::from_string("x"));
  for (const auto& [k, v] : extra) o.set(k, v);
  return parse_spec(o, 1);
}

TEST(BuildHistory, DefaultsToAfterRowTriggerIntoTableHistory) {
  Spec spec = history_spec({});
  TriggerDef def = build_trigger(spec, orders, orders_columns);
  EXPECT_EQ(create_trigger_sql(def, no_keywords),
            "CREATE OR REPLACE TRIGGER pgdb_history_orders AFTER INSERT OR UPDATE OR DELETE ON "
            "app.orders FOR EACH ROW EXECUTE FUNCTION pgdb_tools._trigger_history('app', "
            "'orders_history', 'row', 'changed_only')");
  EXPECT_EQ(spec.arg("history_table").text, "orders_history");
}

TEST(BuildHistory, ExcludedColumnsSortedOnceAndChecked) {
  Spec spec = history_spec({{"exclude_columns", Json::from_strings({"status", "State", "status"})},
                            {"format", Json::from_string("diff")},
                            {"changed_only", Json::from_bool(false)},
                            {"history_table", Json::from_string("Audit Log")}});
  TriggerDef def = build_trigger(spec, orders, orders_columns);
  EXPECT_EQ(def.args,
            (std::vector<std::string>{"app", "Audit Log", "diff", "all", "State", "status"}));
  EXPECT_EQ(to_json_text(spec.arg("exclude_columns")), "[\"State\", \"status\"]");
  Spec missing = history_spec({{"exclude_columns", Json::from_strings({"nope"})}});
  EXPECT_EQ(sqlstate_of(missing), "42703");
}

TEST(BuildHistory, RefusesBadFormat) {
  EXPECT_EQ(sqlstate_of(history_spec({{"format", Json::from_string("full")}})), "22023");
  EXPECT_EQ(sqlstate_of(history_spec({{"history_table", Json::from_string("orders")}})), "22023");
  Spec truncate = history_spec({{"operations", Json::from_strings({"truncate"})}});
  TriggerDef def = build_trigger(truncate, orders, orders_columns);
  EXPECT_EQ(def.level, Level::statement);
  EXPECT_EQ(def.events, static_cast<unsigned>(event_truncate));
}

TEST(BuildHistory, TruncateWithRowOperationsAddsAStatementLevelCompanion) {
  Spec spec = history_spec({{"operations", Json::from_strings({"TRUNCATE", "insert", "DELETE"})},
                            {"condition", Json::from_string("NEW IS NOT NULL")}});
  TriggerDef def = build_trigger(spec, orders, orders_columns);
  EXPECT_EQ(def.events, static_cast<unsigned>(event_insert | event_delete));
  EXPECT_EQ(to_json_text(spec.arg("operations")), "[\"INSERT\", \"DELETE\", \"TRUNCATE\"]");
  EXPECT_EQ(create_trigger_sql(def, no_keywords),
            "CREATE OR REPLACE TRIGGER pgdb_history_orders AFTER INSERT OR DELETE ON app.orders "
            "FOR EACH ROW WHEN (NEW IS NOT NULL) EXECUTE FUNCTION "
            "pgdb_tools._trigger_history('app', 'orders_history', 'row', 'changed_only');\n"
            "CREATE OR REPLACE TRIGGER pgdb_history_orders_truncate AFTER TRUNCATE ON app.orders "
            "FOR EACH STATEMENT EXECUTE FUNCTION pgdb_tools._trigger_history('app', "
            "'orders_history', 'row', 'companion', 'pgdb_history_orders')");
  EXPECT_EQ(companion_trigger_name(std::string(63, 'n')).size(), 63u);
  EXPECT_NE(companion_trigger_name(std::string(63, 'n')), std::string(63, 'n'));
}

}  // namespace
}  // namespace pgdb::triggers
