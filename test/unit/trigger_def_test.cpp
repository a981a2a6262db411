#include "triggers/trigger_def.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace pgdb::triggers {
namespace {

KeywordKind keywords(std::string_view word) {
  return word == "order" || word == "user" ? KeywordKind::reserved_or_restricted
                                           : KeywordKind::not_keyword;
}

TEST(ParseEvents, AcceptsAnyCaseInAnyOrder) {
  EXPECT_EQ(parse_events({"delete", "Update"}, "operations"), event_update | event_delete);
  EXPECT_EQ(parse_events({"TRUNCATE"}, "operations"), unsigned(event_truncate));
}

TEST(ParseEvents, RejectsEmptyUnknownAndRepeated) {
  EXPECT_THROW(parse_events({}, "operations"), Error);
  EXPECT_THROW(parse_events({"UPSERT"}, "operations"), Error);
  EXPECT_THROW(parse_events({"UPDATE", "update"}, "operations"), Error);
  try {
    parse_events({"MERGE"}, "operations");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.sqlstate(), "22023");
    EXPECT_STREQ(e.what(), "unknown operation \"MERGE\" in operations");
  }
}

TEST(EventsSql, UsesPostgresOrder) {
  EXPECT_EQ(events_sql(event_delete | event_insert | event_update), "INSERT OR UPDATE OR DELETE");
  EXPECT_EQ(events_sql(event_truncate), "TRUNCATE");
}

TEST(CreateTriggerSql, QuotesIdentifiersAndLiterals) {
  TriggerDef def;
  def.name = "pgdb_protect_Order";
  def.table_schema = "app";
  def.table_name = "order";
  def.events = event_update | event_delete;
  def.function_schema = "pgdb_tools";
  def.function_name = "_trigger_protect";
  def.args = {"it's protected", "x"};
  EXPECT_EQ(create_trigger_sql(def, keywords),
            "CREATE OR REPLACE TRIGGER \"pgdb_protect_Order\" BEFORE UPDATE OR DELETE ON "
            "app.\"order\" FOR EACH ROW EXECUTE FUNCTION pgdb_tools._trigger_protect('it''s "
            "protected', 'x')");
}

TEST(CreateTriggerSql, WhenClauseAndStatementLevel) {
  TriggerDef def;
  def.name = "t";
  def.table_schema = "public";
  def.table_name = "orders";
  def.timing = Timing::after;
  def.level = Level::statement;
  def.events = event_truncate;
  def.function_schema = "pgdb_tools";
  def.function_name = "f";
  EXPECT_EQ(create_trigger_sql(def, keywords),
            "CREATE OR REPLACE TRIGGER t AFTER TRUNCATE ON public.orders FOR EACH STATEMENT "
            "EXECUTE FUNCTION pgdb_tools.f()");
  def.level = Level::row;
  def.events = event_update;
  def.condition = "OLD.status IS DISTINCT FROM NEW.status";
  EXPECT_EQ(create_trigger_sql(def, keywords),
            "CREATE OR REPLACE TRIGGER t AFTER UPDATE ON public.orders FOR EACH ROW WHEN "
            "(OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION pgdb_tools.f()");
}

TEST(DefaultTriggerName, PrefixKindTableAndBound) {
  EXPECT_EQ(default_trigger_name("protect", "orders"), "pgdb_protect_orders");
  EXPECT_EQ(default_trigger_name("updated_at", std::string(70, 't')).size(), 63u);
  EXPECT_NE(default_trigger_name("updated_at", std::string(70, 't') + "a"),
            default_trigger_name("updated_at", std::string(70, 't') + "b"));
}

TEST(DefaultTriggerName, ChecksSortBeforeRowChanges) {
  // PostgreSQL fires same-event triggers in name order.
  EXPECT_LT(default_trigger_name("protect", "t"), default_trigger_name("updated_at", "t"));
  EXPECT_LT(default_trigger_name("read_only", "t"), default_trigger_name("row_version", "t"));
  EXPECT_LT(default_trigger_name("row_version", "t"), default_trigger_name("updated_at", "t"));
  EXPECT_LT(default_trigger_name("fsm", "t"), default_trigger_name("soft_delete", "t"));
}

}  // namespace
}  // namespace pgdb::triggers
