// The bulk reload's foreign key check (src/snapshots/foreign_key_check.hpp).
#include "snapshots/foreign_key_check.hpp"

#include <gtest/gtest.h>

#include "snapshots/restore_plan.hpp"

namespace pgdb::snapshots {
namespace {

ForeignKey single_key() {
  ForeignKey key;
  key.name = "lines_item_id_fkey";
  key.referencing_table = "public.lines";
  key.referenced_table = "public.items";
  key.columns = {{"item_id", "item_id", "id", "pg_catalog.=", "", "", ""}};
  return key;
}

ForeignKey composite_key(bool match_full) {
  ForeignKey key;
  key.name = "refs_fkey";
  key.referencing_table = "\"My\".refs";
  key.referenced_table = "\"My\".pairs";
  key.match_full = match_full;
  key.columns = {{"a", "a", "pa", "pg_catalog.=", "", "", ""},
                 {"B b", "\"B b\"", "pb", "pg_catalog.=", "", "", ""}};
  return key;
}

TEST(ForeignKeyCheck, SingleColumnAntiJoin) {
  EXPECT_EQ(violation_query(single_key()),
            "SELECT fk.item_id::pg_catalog.text FROM ONLY public.lines fk LEFT OUTER JOIN ONLY "
            "public.items pk ON (pk.id OPERATOR(pg_catalog.=) fk.item_id) WHERE pk.id IS NULL "
            "AND (fk.item_id IS NOT NULL) LIMIT 1");
}

TEST(ForeignKeyCheck, MatchSimpleSkipsAnyNullMatchFullOnlyAllNull) {
  std::string simple = violation_query(composite_key(false));
  EXPECT_NE(simple.find("pk.pa OPERATOR(pg_catalog.=) fk.a AND pk.pb OPERATOR(pg_catalog.=) "
                        "fk.\"B b\""),
            std::string::npos);
  EXPECT_NE(simple.find("WHERE pk.pa IS NULL AND (fk.a IS NOT NULL AND fk.\"B b\" IS NOT NULL)"),
            std::string::npos);
  EXPECT_NE(simple.find("SELECT fk.a::pg_catalog.text, fk.\"B b\"::pg_catalog.text FROM ONLY "
                        "\"My\".refs fk"),
            std::string::npos);
  std::string full = violation_query(composite_key(true));
  EXPECT_NE(full.find("WHERE pk.pa IS NULL AND (fk.a IS NOT NULL OR fk.\"B b\" IS NOT NULL)"),
            std::string::npos);
}

TEST(ForeignKeyCheck, CastsCollationAndPartitionedReferencedTable) {
  ForeignKey key = single_key();
  key.columns[0].equality = "pg_catalog.=";
  key.columns[0].referenced_cast = "pg_catalog.int8";
  key.columns[0].referencing_cast = "pg_catalog.int8";
  key.columns[0].collation = "pg_catalog.\"C\"";
  key.referenced_partitioned = true;
  std::string query = violation_query(key);
  EXPECT_NE(query.find("ON ((pk.id)::pg_catalog.int8 OPERATOR(pg_catalog.=) "
                       "(fk.item_id)::pg_catalog.int8 COLLATE pg_catalog.\"C\")"),
            std::string::npos);
  EXPECT_NE(query.find("LEFT OUTER JOIN public.items pk"), std::string::npos);
  EXPECT_NE(query.find("FROM ONLY public.lines fk"), std::string::npos);
}

TEST(ForeignKeyCheck, OwnEqualityOperator) {
  ForeignKey key = single_key();
  key.columns[0].equality = "\"my ops\".===";
  EXPECT_NE(violation_query(key).find("OPERATOR(\"my ops\".===)"), std::string::npos);
}

TEST(ForeignKeyCheck, DetailAsPostgresWordsIt) {
  EXPECT_EQ(violation_detail(single_key(), {std::string("41")}),
            "Key (item_id)=(41) is not present in table public.items.");
  EXPECT_EQ(violation_detail(composite_key(false), {std::string("5"), std::string("b5")}),
            "Key (a, B b)=(5, b5) is not present in table \"My\".pairs.");
  EXPECT_EQ(violation_detail(composite_key(true), {std::string("3"), std::nullopt}),
            "MATCH FULL does not allow mixing of null and nonnull key values.");
}

TEST(ForeignKeyCheck, RefusalsKeepInsertSelect) {
  EXPECT_EQ(foreign_key_refusal({}), std::nullopt);
  EXPECT_EQ(foreign_key_refusal({{false, true}, {false, true}}), std::nullopt);
  EXPECT_NE(foreign_key_refusal({{false, true}, {true, true}}).value().find("deferrable"),
            std::string::npos);
  EXPECT_NE(foreign_key_refusal({{false, false}}).value().find("row-level security"),
            std::string::npos);
  EXPECT_NE(foreign_key_refusal({{false, true, true}}).value().find("REPEATABLE READ"),
            std::string::npos);
  ColumnMapping m;
  m.columns = {"id"};
  ReloadFacts facts;
  facts.foreign_keys = {{false, true}};
  EXPECT_EQ(bulk_reload_refusal(m, facts), std::nullopt);
  facts.foreign_keys = {{true, true}};
  EXPECT_NE(bulk_reload_refusal(m, facts).value().find("deferrable"), std::string::npos);
}

}  // namespace
}  // namespace pgdb::snapshots
