#include "triggers/kinds.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace pgdb::triggers {
namespace {

KeywordKind no_keywords(std::string_view) { return KeywordKind::not_keyword; }

const Target orders{"app", "orders", "app.orders"};

std::optional<std::string> orders_columns(std::string_view column) {
  if (column == "updated_at") return "timestamp with time zone";
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
    build_trigger(spec, orders, orders_columns, no_keywords);
  } catch (const Error& e) {
    return e.sqlstate();
  }
  return "none";
}

TEST(BuildProtect, DefaultsToUpdateAndDeleteRowTrigger) {
  Spec spec = spec_of({{"kind", Json::from_string("protect")}, {"tbl", Json::from_string("x")}});
  TriggerDef def = build_trigger(spec, orders, orders_columns, no_keywords);
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
  TriggerDef def = build_trigger(spec, orders, orders_columns, no_keywords);
  EXPECT_EQ(to_json_text(spec.arg("operations")), "[\"INSERT\", \"DELETE\"]");
  EXPECT_EQ(def.name, "keep");
  EXPECT_EQ(def.args, std::vector<std::string>{"orders are forever"});
  EXPECT_EQ(def.events, event_insert | event_delete);
}

TEST(BuildProtect, TruncateIsStatementLevelAndAlone) {
  Spec spec = spec_of({{"kind", Json::from_string("protect")},
                       {"tbl", Json::from_string("x")},
                       {"operations", Json::from_strings({"TRUNCATE"})}});
  EXPECT_EQ(build_trigger(spec, orders, orders_columns, no_keywords).level, Level::statement);
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
  TriggerDef def = build_trigger(spec, orders, orders_columns, no_keywords);
  EXPECT_EQ(create_trigger_sql(def, no_keywords),
            "CREATE OR REPLACE TRIGGER pgdb_updated_at_orders BEFORE UPDATE ON app.orders FOR "
            "EACH ROW EXECUTE FUNCTION pgdb_tools._trigger_updated_at('updated_at')");
}

TEST(BuildUpdatedAt, OnInsertAddsInsertAndDateColumnsWork) {
  Spec spec = spec_of({{"kind", Json::from_string("updated_at")},
                       {"tbl", Json::from_string("x")},
                       {"column_name", Json::from_string("modified_on")},
                       {"on_insert", Json::from_bool(true)}});
  TriggerDef def = build_trigger(spec, orders, orders_columns, no_keywords);
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

}  // namespace
}  // namespace pgdb::triggers
