#include "snapshots/diff_render.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pgdb::snapshots {
namespace {

KeywordKind some_keywords(std::string_view word) {
  if (word == "order" || word == "user") return KeywordKind::reserved_or_restricted;
  return KeywordKind::not_keyword;
}

TEST(ColumnsMissing, KeepsTheOrderOfTheFirstList) {
  EXPECT_EQ(columns_missing({"c", "a", "b", "d"}, {"b", "x"}),
            (std::vector<std::string>{"c", "a", "d"}));
  EXPECT_TRUE(columns_missing({"a"}, {"a"}).empty());
}

TEST(DiffQuery, OneKeyColumn) {
  std::string sql = diff_query({{"id", "OPERATOR(pg_catalog.=)"}}, "store.s1_1_read",
                               "ONLY public.t", some_keywords, false);
  EXPECT_EQ(sql,
            "SELECT CASE WHEN s.j IS NULL THEN 'added' WHEN l.j IS NULL THEN 'removed' ELSE "
            "'changed' END,        coalesce(l.k, s.k), s.j, l.j   FROM (SELECT "
            "pg_catalog.to_jsonb(r.*) AS j, pg_catalog.jsonb_build_object('id', r.id) AS k, r.id "
            "AS k0 FROM store.s1_1_read r) s FULL JOIN (SELECT pg_catalog.to_jsonb(r.*) AS j, "
            "pg_catalog.jsonb_build_object('id', r.id) AS k, r.id AS k0 FROM ONLY public.t r) l "
            "ON s.k0 OPERATOR(pg_catalog.=) l.k0 WHERE s.j IS NULL OR l.j IS NULL     OR (s.j "
            "OPERATOR(pg_catalog.-) $1::text[]) IS DISTINCT FROM (l.j OPERATOR(pg_catalog.-) "
            "$2::text[])  ORDER BY coalesce(l.k0, s.k0), 1");
}

TEST(DiffQuery, CompositeKeyQuotesAndComparesEachColumn) {
  std::string sql =
      diff_query({{"order", "OPERATOR(pg_catalog.=)"}, {"Line's", "IS NOT DISTINCT FROM"}}, "a",
                 "b", some_keywords, false);
  EXPECT_NE(sql.find("pg_catalog.jsonb_build_object('order', r.\"order\", 'Line''s', "
                     "r.\"Line's\") AS k, r.\"order\" AS k0, r.\"Line's\" AS k1 FROM a r"),
            std::string::npos)
      << sql;
  EXPECT_NE(sql.find(" ON s.k0 OPERATOR(pg_catalog.=) l.k0 AND s.k1 IS NOT DISTINCT FROM l.k1 "),
            std::string::npos)
      << sql;
  EXPECT_NE(sql.find("ORDER BY coalesce(l.k0, s.k0), coalesce(l.k1, s.k1), 1"), std::string::npos)
      << sql;
}

TEST(DiffQuery, ForceQuotesQuotesPlainNames) {
  std::string sql = diff_query({{"id", "IS NOT DISTINCT FROM"}}, "a", "b", some_keywords, true);
  EXPECT_NE(sql.find("jsonb_build_object('id', r.\"id\") AS k, r.\"id\" AS k0"), std::string::npos)
      << sql;
}

}  // namespace
}  // namespace pgdb::snapshots
