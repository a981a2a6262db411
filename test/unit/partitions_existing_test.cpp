#include "partitions/existing.hpp"

#include <gtest/gtest.h>

#include "partitions/pass.hpp"
#include "partitions_helpers.hpp"

namespace pgdb::partitions {
namespace {

KeywordKind some_keywords(std::string_view word) {
  return word == "order" ? KeywordKind::reserved_or_restricted : KeywordKind::not_keyword;
}
const Quoting quoting{some_keywords};

// A plain table app.sales keyed on (id, at), with rows of January to March 2030.
ExistingTable sales() {
  ExistingTable t;
  t.schema = "app";
  t.name = "sales";
  t.control = "at";
  t.control_exists = true;
  t.type = ControlType::date;
  t.min = day(2030, 1, 5);
  t.max = day(2030, 3, 20);
  t.indexes = {{"sales_pkey", 'p', "PRIMARY KEY (id, at)", true, true},
               {"sales_at", 0, "CREATE INDEX sales_at ON app.sales USING btree (at)", false, true}};
  return t;
}

std::unique_ptr<Steps> monthly() {
  Settings s;
  Width w;
  w.period = {1, 0, 0};
  return make_steps(s, ControlType::date, w);
}

ExistingLookups lookups() {
  return {[](const std::string& name) { return name == "sales_at_p203001"; },
          [](Key key) { return bound_sql(key, ControlType::date, "UTC"); }};
}

std::string refusal_state(const ExistingTable& t) {
  std::optional<Error> e = existing_refusal(t, quoting);
  return e ? e->sqlstate() : "";
}

TEST(PartitionExisting, AcceptsAPlainTableKeyedOnTheControlColumn) {
  EXPECT_EQ(refusal_state(sales()), "");
}

TEST(PartitionExisting, RefusesAKeyWithoutTheControlColumnAndShowsTheFix) {
  ExistingTable t = sales();
  t.indexes[0] = {"sales_pkey", 'p', "PRIMARY KEY (id)", true, false};
  std::optional<Error> e = existing_refusal(t, quoting);
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->sqlstate(), "0A000");
  EXPECT_NE(std::string(e->what()).find("primary key sales_pkey does not include at"),
            std::string::npos);
  EXPECT_NE(e->hint().find("ALTER TABLE app.sales DROP CONSTRAINT sales_pkey, ADD PRIMARY KEY"),
            std::string::npos);
  // a plain (not unique) index without it is fine
  t.indexes[0] = {"sales_id", 0, "CREATE INDEX ...", false, false};
  EXPECT_EQ(refusal_state(t), "");
}

TEST(PartitionExisting, RefusesWhatCannotBeCarriedOver) {
  auto with = [](auto change) {
    ExistingTable t = sales();
    change(t);
    return refusal_state(t);
  };
  EXPECT_EQ(with([](ExistingTable& t) { t.relkind = 'p'; }), "42809");
  EXPECT_EQ(with([](ExistingTable& t) { t.relkind = 'v'; }), "42809");
  EXPECT_EQ(with([](ExistingTable& t) { t.persistence = 't'; }), "0A000");
  EXPECT_EQ(with([](ExistingTable& t) { t.persistence = 'u'; }), "0A000");
  EXPECT_EQ(with([](ExistingTable& t) { t.is_partition = true; }), "0A000");
  EXPECT_EQ(with([](ExistingTable& t) { t.inheritance = true; }), "0A000");
  EXPECT_EQ(with([](ExistingTable& t) { t.typed = true; }), "0A000");
  EXPECT_EQ(with([](ExistingTable& t) { t.extension_member = true; }), "0A000");
  EXPECT_EQ(with([](ExistingTable& t) { t.control_exists = false; }), "42703");
  EXPECT_EQ(with([](ExistingTable& t) { t.type.reset(); }), "42804");
  EXPECT_EQ(with([](ExistingTable& t) { t.identity_columns = {"id"}; }), "0A000");
  EXPECT_EQ(with([](ExistingTable& t) { t.has_nulls = true; }), "23502");
  EXPECT_EQ(with([](ExistingTable& t) { t.referenced_by = {"app.items (fk)"}; }), "0A000");
  EXPECT_EQ(with([](ExistingTable& t) { t.views = {"app.v"}; }), "2BP01");
  EXPECT_EQ(with([](ExistingTable& t) { t.publications = {"pub"}; }), "0A000");
  EXPECT_EQ(with([](ExistingTable& t) { t.triggers = {"tg"}; }), "0A000");
  EXPECT_EQ(with([](ExistingTable& t) { t.rules = {"r"}; }), "0A000");
}

TEST(PartitionExisting, TheRangeCoversTheRowsWholePeriods) {
  auto steps = monthly();
  Range r = existing_range(sales(), *steps, day(2026, 12, 3), 0);
  EXPECT_EQ(r.lower, day(2030, 1, 1));
  EXPECT_EQ(r.upper, day(2030, 4, 1));
  // the procedure's room: one more period, and never ending before the current period ends
  Range proc = existing_range(sales(), *steps, day(2026, 12, 3), 1);
  EXPECT_EQ(proc.upper, day(2030, 5, 1));
  ExistingTable past = sales();
  past.max = day(2026, 6, 1);
  EXPECT_EQ(existing_range(past, *steps, day(2026, 12, 3), 1).upper, day(2027, 2, 1));
  // an empty table: the current period
  ExistingTable empty = sales();
  empty.min.reset();
  empty.max.reset();
  Range e = existing_range(empty, *steps, day(2026, 12, 3), 0);
  EXPECT_EQ(e.lower, day(2026, 12, 1));
  EXPECT_EQ(e.upper, day(2027, 1, 1));
}

TEST(PartitionExisting, PlansTheSwapUnderTheApplicationsNames) {
  ExistingTable t = sales();
  t.name = "order";
  t.sequences = {{"app", "order_id_seq", "id"}};
  t.grants = {{"SELECT", std::string("reader"), false}, {"INSERT", std::nullopt, true}};
  t.foreign_keys = {{"order_customer_fkey", "FOREIGN KEY (c) REFERENCES app.customers(id)"}};
  t.comment = "it's orders";
  t.row_security = true;
  t.policies = {{"mine", false, "SELECT", {std::string("reader"), std::nullopt}, "(x > 1)", {}}};
  auto steps = monthly();
  ExistingPlan plan = plan_existing(t, ControlType::date, "UTC", *steps,
                                    {day(2030, 1, 1), day(2030, 4, 1)}, quoting, lookups());
  EXPECT_EQ(plan.partition, "order_p203001");
  EXPECT_EQ(plan.check_name, "order_pgdb_existing");
  EXPECT_EQ(plan.prepare,
            (std::vector<std::string>{
                "ALTER TABLE app.\"order\" ADD CONSTRAINT order_pgdb_existing CHECK (at IS NOT "
                "NULL AND at >= DATE '2030-01-01' AND at < DATE '2030-04-01') NOT VALID",
                "ALTER TABLE app.\"order\" VALIDATE CONSTRAINT order_pgdb_existing"}));
  EXPECT_EQ(
      plan.swap,
      (std::vector<std::string>{
          "ALTER TABLE app.\"order\" RENAME CONSTRAINT sales_pkey TO sales_pkey_p203001",
          // sales_at_p203001 is taken in the schema
          "ALTER INDEX app.sales_at RENAME TO sales_at_p203001_2",
          "ALTER TABLE app.\"order\" RENAME TO order_p203001",
          "CREATE TABLE app.\"order\" (LIKE app.order_p203001 INCLUDING DEFAULTS INCLUDING "
          "CONSTRAINTS INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMMENTS INCLUDING "
          "COMPRESSION) PARTITION BY RANGE (at)",
          "ALTER TABLE app.\"order\" DROP CONSTRAINT order_pgdb_existing",
          "ALTER TABLE app.\"order\" ADD CONSTRAINT sales_pkey PRIMARY KEY (id, at)",
          "CREATE INDEX sales_at ON app.sales USING btree (at)",
          "ALTER TABLE app.\"order\" ADD CONSTRAINT order_customer_fkey FOREIGN KEY (c) "
          "REFERENCES app.customers(id)",
          "ALTER SEQUENCE app.order_id_seq OWNED BY app.\"order\".id",
          "GRANT SELECT ON app.\"order\" TO reader",
          "GRANT INSERT ON app.\"order\" TO PUBLIC WITH GRANT OPTION",
          "ALTER TABLE app.\"order\" ENABLE ROW LEVEL SECURITY",
          "CREATE POLICY mine ON app.\"order\" AS RESTRICTIVE FOR SELECT TO reader, PUBLIC "
          "USING ((x > 1))",
          "COMMENT ON TABLE app.\"order\" IS 'it''s orders'",
          "ALTER TABLE app.\"order\" ATTACH PARTITION app.order_p203001 FOR VALUES FROM (DATE "
          "'2030-01-01') TO (DATE '2030-04-01')",
          "ALTER TABLE app.order_p203001 DROP CONSTRAINT order_pgdb_existing"}));
}

TEST(PartitionExisting, TheRangeCommentRoundTrips) {
  Range r{-5, 1234567890123};
  std::optional<Range> back = parse_range_comment(range_comment(r));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->lower, r.lower);
  EXPECT_EQ(back->upper, r.upper);
  for (const char* bad :
       {"", "pgdb_tools partition_existing range 1", "pgdb_tools partition_existing range 5 1",
        "pgdb_tools partition_existing range 1 2x", "someone's comment 1 2"})
    EXPECT_FALSE(parse_range_comment(bad)) << bad;
}

}  // namespace
}  // namespace pgdb::partitions
