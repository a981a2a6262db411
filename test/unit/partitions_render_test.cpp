#include "partitions/render.hpp"

#include <gtest/gtest.h>

#include "partitions_helpers.hpp"

namespace pgdb::partitions {
namespace {

KeywordKind some_keywords(std::string_view word) {
  if (word == "order" || word == "user") return KeywordKind::reserved_or_restricted;
  return KeywordKind::not_keyword;
}

const Quoting quoting{some_keywords};

SetFacts time_set(ControlType type = ControlType::timestamptz) {
  SetFacts facts;
  facts.settings.schema = "app";
  facts.settings.name = "events";
  facts.settings.control = "created_at";
  facts.settings.time_zone = "Europe/Paris";
  facts.type = type;
  return facts;
}

SetFacts integer_set() {
  SetFacts facts = time_set(ControlType::int8);
  facts.settings.control = "id";
  return facts;
}

Action create(Key lower, Key upper, const std::string& name = "events_p20261121") {
  return {Action::Kind::create, name, lower, upper};
}

TEST(BoundSql, EachTypeAndTheEnds) {
  Key key = day(2026, 11, 21) + 90 * 60'000'000LL;
  EXPECT_EQ(bound_sql(key, ControlType::timestamptz, "Europe/Paris"),
            "(TIMESTAMP '2026-11-21 01:30:00.000000' AT TIME ZONE 'Europe/Paris')");
  EXPECT_EQ(bound_sql(key, ControlType::timestamp, "UTC"),
            "TIMESTAMP '2026-11-21 01:30:00.000000'");
  EXPECT_EQ(bound_sql(day(2026, 11, 21), ControlType::date, "UTC"), "DATE '2026-11-21'");
  EXPECT_EQ(bound_sql(-100000, ControlType::int8, "UTC"), "-100000");
  EXPECT_EQ(bound_sql(2147483647, ControlType::int4, "UTC"), "2147483647");
  EXPECT_EQ(bound_sql(key_min, ControlType::date, "UTC"), "MINVALUE");
  EXPECT_EQ(bound_sql(key_max, ControlType::int4, "UTC"), "MAXVALUE");
  // A zone name is a literal, never SQL.
  EXPECT_EQ(bound_sql(day(2000, 1, 1), ControlType::timestamptz, "x'; DROP TABLE t; --"),
            "(TIMESTAMP '2000-01-01 00:00:00.000000' AT TIME ZONE 'x''; DROP TABLE t; --')");
}

TEST(ShownRange, LocalTimeToTheMinuteDatesAndIntegers) {
  EXPECT_EQ(shown_range(day(2026, 11, 21), day(2026, 11, 22), ControlType::timestamptz, "UTC"),
            "[2026-11-21 00:00, 2026-11-22 00:00) UTC");
  EXPECT_EQ(shown_range(day(2026, 11, 21), day(2026, 12, 1), ControlType::timestamp, "UTC"),
            "[2026-11-21 00:00, 2026-12-01 00:00)");
  EXPECT_EQ(shown_range(key_min, day(2026, 1, 1), ControlType::date, "UTC"),
            "[MINVALUE, 2026-01-01)");
  EXPECT_EQ(shown_range(100, key_max, ControlType::int4, "UTC"), "[100, MAXVALUE)");
  EXPECT_EQ(shown_bound(day(12026, 1, 1), ControlType::timestamp), "12026-01-01 00:00");
  EXPECT_EQ(moved_rows_detail(1), "1 row from the default partition");
  EXPECT_EQ(moved_rows_detail(2), "2 rows from the default partition");
}

TEST(Render, CreateInPlaceOrAttachAfterAMove) {
  std::vector<RenderedStep> steps =
      render(time_set(), {create(day(2026, 11, 21), day(2026, 11, 22))}, quoting);
  ASSERT_EQ(steps.size(), 1u);
  const std::string range =
      "FOR VALUES FROM ((TIMESTAMP '2026-11-21 00:00:00.000000' AT TIME ZONE 'Europe/Paris')) TO "
      "((TIMESTAMP '2026-11-22 00:00:00.000000' AT TIME ZONE 'Europe/Paris'))";
  EXPECT_EQ(steps[0].statements, std::vector<std::string>{"CREATE TABLE app.events_p20261121 "
                                                          "PARTITION OF app.events " +
                                                          range});
  EXPECT_EQ(steps[0].attach_statements,
            std::vector<std::string>{
                "ALTER TABLE app.events ATTACH PARTITION app.events_p20261121 " + range});
  EXPECT_EQ(steps[0].detail, "[2026-11-21 00:00, 2026-11-22 00:00) Europe/Paris");
  EXPECT_FALSE(steps[0].refusal);
}

TEST(Render, IntegerBoundsAndTheDefault) {
  std::vector<RenderedStep> steps = render(integer_set(),
                                           {create(0, 100000, "events_p0"),
                                            create(100000, key_max, "events_p100000"),
                                            {Action::Kind::create_default, "events_default", 0, 0}},
                                           quoting);
  ASSERT_EQ(steps.size(), 3u);
  EXPECT_EQ(steps[0].statements[0],
            "CREATE TABLE app.events_p0 PARTITION OF app.events FOR VALUES FROM (0) TO (100000)");
  EXPECT_EQ(steps[0].detail, "[0, 100000)");
  EXPECT_EQ(steps[1].statements[0],
            "CREATE TABLE app.events_p100000 PARTITION OF app.events FOR "
            "VALUES FROM (100000) TO (MAXVALUE)");
  EXPECT_EQ(
      steps[2].statements,
      std::vector<std::string>{"CREATE TABLE app.events_default PARTITION OF app.events DEFAULT"});
  EXPECT_EQ(steps[2].detail, "DEFAULT");
}

TEST(Render, NamesAreQuotedAsTheServerWould) {
  SetFacts facts = integer_set();
  facts.settings.schema = "My App";
  facts.settings.name = "order";
  std::vector<RenderedStep> steps = render(facts, {create(0, 10, "order_p0")}, quoting);
  EXPECT_EQ(
      steps[0].statements[0],
      "CREATE TABLE \"My App\".order_p0 PARTITION OF \"My App\".\"order\" FOR VALUES FROM (0) "
      "TO (10)");
  Quoting all{some_keywords, true};
  EXPECT_EQ(render(facts, {create(0, 10, "order_p0")}, all)[0].statements[0],
            "CREATE TABLE \"My App\".\"order_p0\" PARTITION OF \"My App\".\"order\" FOR VALUES "
            "FROM (0) TO (10)");
}

TEST(Render, NewPartitionsAdoptTheParentsOwnerAndGrants) {
  SetFacts facts = integer_set();
  facts.adoption.owner = "User";
  facts.adoption.grants = {{"SELECT", std::nullopt, false}, {"INSERT", "user", true}};
  std::vector<RenderedStep> steps = render(
      facts, {create(0, 10, "events_p0"), {Action::Kind::create_default, "events_default", 0, 0}},
      quoting);
  std::vector<std::string> adoption = {
      "ALTER TABLE app.events_p0 OWNER TO \"User\"", "GRANT SELECT ON app.events_p0 TO PUBLIC",
      "GRANT INSERT ON app.events_p0 TO \"user\" WITH GRANT OPTION"};
  ASSERT_EQ(steps[0].statements.size(), 4u);
  EXPECT_EQ(std::vector<std::string>(steps[0].statements.begin() + 1, steps[0].statements.end()),
            adoption);
  EXPECT_EQ(std::vector<std::string>(steps[0].attach_statements.begin() + 1,
                                     steps[0].attach_statements.end()),
            adoption);
  EXPECT_EQ(steps[1].statements.size(), 4u);
  EXPECT_EQ(steps[1].statements[3],
            "GRANT INSERT ON app.events_default TO \"user\" WITH GRANT OPTION");
}

SetFacts with_default(bool has_rows) {
  SetFacts facts = time_set(ControlType::date);
  facts.default_partition =
      DefaultPartition{"events_default", has_rows, false, {"id", "order", "created_at"}};
  return facts;
}

TEST(Render, RowsMoveOutOfTheDefaultIntoATableBesideTheSet) {
  Action move{Action::Kind::move_rows, "events_p20261121", day(2026, 11, 21), day(2026, 11, 22)};
  std::vector<RenderedStep> steps = render(with_default(true), {move}, quoting);
  ASSERT_EQ(steps.size(), 1u);
  const std::string where =
      "true AND created_at >= DATE '2026-11-21' AND created_at < DATE '2026-11-22'";
  EXPECT_EQ(steps[0].count_sql, "SELECT count(*)::int8 FROM app.events_default WHERE " + where);
  EXPECT_EQ(steps[0].discard_sql, "DROP TABLE app.events_p20261121");
  EXPECT_EQ(steps[0].statements,
            (std::vector<std::string>{
                "CREATE TABLE app.events_p20261121 (LIKE app.events INCLUDING DEFAULTS INCLUDING "
                "CONSTRAINTS INCLUDING STORAGE INCLUDING GENERATED)",
                "WITH moved AS (DELETE FROM app.events_default WHERE " + where +
                    " RETURNING id, \"order\", created_at) INSERT INTO app.events_p20261121 (id, "
                    "\"order\", created_at) SELECT id, \"order\", created_at FROM moved"}));
  EXPECT_FALSE(steps[0].refusal);
}

TEST(Render, MovesToTheEndsOfTheTypeLeaveThatSideOpen) {
  Action move{Action::Kind::move_rows, "events_pm", key_min, day(2026, 1, 1)};
  EXPECT_EQ(render(with_default(true), {move}, quoting)[0].count_sql,
            "SELECT count(*)::int8 FROM app.events_default WHERE true AND created_at < DATE "
            "'2026-01-01'");
  move = {Action::Kind::move_rows, "events_pn", day(2026, 1, 1), key_max};
  EXPECT_EQ(render(with_default(true), {move}, quoting)[0].count_sql,
            "SELECT count(*)::int8 FROM app.events_default WHERE true AND created_at >= DATE "
            "'2026-01-01'");
}

TEST(Render, NoMovesFromAnEmptyDefaultOrWithoutOne) {
  Action move{Action::Kind::move_rows, "events_p20261121", day(2026, 11, 21), day(2026, 11, 22)};
  Action made = create(day(2026, 11, 21), day(2026, 11, 22));
  std::vector<RenderedStep> steps = render(with_default(false), {move, made}, quoting);
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].action.kind, Action::Kind::create);
  EXPECT_EQ(render(time_set(), {move}, quoting).size(), 0u);
}

TEST(Render, MovesAreRefusedWhenForeignKeysReferenceTheParent) {
  SetFacts facts = with_default(true);
  facts.default_partition->referenced_by_foreign_keys = true;
  Action move{Action::Kind::move_rows, "events_p20261121", day(2026, 11, 21), day(2026, 11, 22)};
  std::vector<RenderedStep> steps = render(facts, {move}, quoting);
  ASSERT_TRUE(steps[0].refusal);
  EXPECT_STREQ(steps[0].refusal->sqlstate(), "55000");
  EXPECT_STREQ(steps[0].refusal->what(),
               "rows in the default partition of app.events cannot be moved: foreign keys "
               "reference app.events");
  EXPECT_TRUE(steps[0].statements.empty());
}

TEST(Render, RetentionDropsDetachesOrArchives) {
  SetFacts facts = time_set(ControlType::timestamp);
  Action old{Action::Kind::drop, "events_p20200101", day(2020, 1, 1), day(2020, 1, 2)};
  std::vector<RenderedStep> dropped = render(facts, {old}, quoting);
  EXPECT_EQ(dropped[0].statements, std::vector<std::string>{"DROP TABLE app.events_p20200101"});
  EXPECT_EQ(dropped[0].detail, "[2020-01-01 00:00, 2020-01-02 00:00)");
  old.kind = Action::Kind::detach;
  EXPECT_EQ(
      render(facts, {old}, quoting)[0].statements,
      std::vector<std::string>{"ALTER TABLE app.events DETACH PARTITION app.events_p20200101"});
  old.kind = Action::Kind::archive;
  facts.settings.archive_schema = "Old Data";
  std::vector<RenderedStep> archived = render(facts, {old}, quoting);
  EXPECT_EQ(
      archived[0].statements,
      (std::vector<std::string>{"ALTER TABLE app.events DETACH PARTITION app.events_p20200101",
                                "ALTER TABLE app.events_p20200101 SET SCHEMA \"Old Data\""}));
  EXPECT_EQ(archived[0].detail, "[2020-01-01 00:00, 2020-01-02 00:00), moved to schema Old Data");
}

TEST(Render, NewPartitionsCarryStorageParametersTablespaceAndReplicaIdentity) {
  SetFacts facts = time_set(ControlType::timestamp);
  facts.adoption.properties.reloptions = {"fillfactor=70", "autovacuum_enabled=false"};
  facts.adoption.properties.toast_reloptions = {"autovacuum_vacuum_scale_factor=0.2"};
  facts.adoption.properties.tablespace = "Fast";
  facts.adoption.properties.replica_identity = 'f';
  Action made = create(day(2026, 11, 21), day(2026, 11, 22));
  std::vector<RenderedStep> steps = render(facts, {made}, quoting);
  std::string storage =
      " WITH (fillfactor = '70', autovacuum_enabled = 'false', "
      "toast.autovacuum_vacuum_scale_factor = '0.2') TABLESPACE \"Fast\"";
  EXPECT_EQ(
      steps[0].statements,
      (std::vector<std::string>{
          "CREATE TABLE app.events_p20261121 PARTITION OF app.events FOR VALUES FROM "
          "(TIMESTAMP '2026-11-21 00:00:00.000000') TO (TIMESTAMP '2026-11-22 00:00:00.000000')" +
              storage,
          "ALTER TABLE app.events_p20261121 REPLICA IDENTITY FULL"}));
  // the default's replica identity NOTHING, and none of the rest
  facts.adoption.properties = Properties{};
  facts.adoption.properties.replica_identity = 'n';
  Action fallback{Action::Kind::create_default, "events_default", key_min, key_max};
  EXPECT_EQ(
      render(facts, {fallback}, quoting)[0].statements,
      (std::vector<std::string>{"CREATE TABLE app.events_default PARTITION OF app.events DEFAULT",
                                "ALTER TABLE app.events_default REPLICA IDENTITY NOTHING"}));
}

TEST(Render, ReplicaIdentityUsingIndexLooksUpTheNewPartitionsIndexOfTheSameParentIndex) {
  SetFacts facts = time_set(ControlType::timestamp);
  facts.adoption.properties.replica_identity = 'i';
  facts.adoption.properties.replica_index_parent = "app.\"Events code\"";
  Action made = create(day(2026, 11, 21), day(2026, 11, 22));
  std::vector<RenderedStep> steps = render(facts, {made}, quoting);
  ASSERT_EQ(steps[0].statements.size(), 2u);
  const std::string& lookup = steps[0].statements[1];
  // one DO block as one string constant: the names inside are literals within it, their quotes
  // doubled twice over
  EXPECT_EQ(lookup.rfind("DO 'DECLARE i pg_catalog.name; BEGIN SELECT c.relname INTO i", 0), 0u);
  EXPECT_NE(lookup.find(
                "h.inhparent OPERATOR(pg_catalog.=) ''app.\"Events code\"''::pg_catalog.regclass"),
            std::string::npos);
  EXPECT_NE(lookup.find(
                "x.indrelid OPERATOR(pg_catalog.=) ''app.events_p20261121''::pg_catalog.regclass"),
            std::string::npos);
  EXPECT_NE(
      lookup.find("EXECUTE ''ALTER TABLE app.events_p20261121 REPLICA IDENTITY USING INDEX ''"),
      std::string::npos);
  EXPECT_EQ(lookup.substr(lookup.size() - 5), " END'");
}

TEST(Render, DropsDetachFirstWhenForeignKeysReferenceTheParent) {
  SetFacts facts = time_set(ControlType::timestamp);
  facts.referenced_by_foreign_keys = true;
  Action old{Action::Kind::drop, "events_p20200101", day(2020, 1, 1), day(2020, 1, 2)};
  EXPECT_EQ(
      render(facts, {old}, quoting)[0].statements,
      (std::vector<std::string>{"ALTER TABLE app.events DETACH PARTITION app.events_p20200101",
                                "DROP TABLE app.events_p20200101"}));
}

TEST(Render, ArchivingWithoutASchemaIsRefused) {
  Action old{Action::Kind::archive, "events_p20200101", day(2020, 1, 1), day(2020, 1, 2)};
  std::vector<RenderedStep> steps = render(time_set(), {old}, quoting);
  ASSERT_TRUE(steps[0].refusal);
  EXPECT_STREQ(steps[0].refusal->sqlstate(), "22023");
  EXPECT_TRUE(steps[0].statements.empty());
}

TEST(Render, StepsKeepThePlansOrder) {
  SetFacts facts = with_default(true);
  std::vector<Action> plan = {
      {Action::Kind::drop, "events_p20200101", day(2020, 1, 1), day(2020, 1, 2)},
      {Action::Kind::move_rows, "events_p20261121", day(2026, 11, 21), day(2026, 11, 22)},
      create(day(2026, 11, 21), day(2026, 11, 22))};
  std::vector<RenderedStep> steps = render(facts, plan, quoting);
  ASSERT_EQ(steps.size(), 3u);
  for (std::size_t i = 0; i < plan.size(); ++i) {
    EXPECT_EQ(steps[i].action.kind, plan[i].kind);
    EXPECT_EQ(steps[i].action.name, plan[i].name);
  }
}

}  // namespace
}  // namespace pgdb::partitions
