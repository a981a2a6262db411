#include "snapshots/adopt_plan.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "snapshots/restore_plan.hpp"

namespace pgdb::snapshots {
namespace {

using Strings = std::vector<std::string>;

KeywordKind test_keywords(std::string_view word) {
  return word == "select" ? KeywordKind::reserved_or_restricted : KeywordKind::not_keyword;
}

TEST(KeyConstraintDefinition, AcceptsColumnListsOnly) {
  Strings columns{"id", "Mixed Col", "select"};
  EXPECT_EQ(key_constraint_definition("PRIMARY KEY (id)", columns, test_keywords),
            "PRIMARY KEY (id)");
  EXPECT_EQ(
      key_constraint_definition("UNIQUE (id, \"Mixed Col\", \"select\")", columns, test_keywords),
      "UNIQUE (id, \"Mixed Col\", \"select\")");
  EXPECT_EQ(key_constraint_definition("UNIQUE NULLS NOT DISTINCT (id) DEFERRABLE", columns,
                                      test_keywords),
            "UNIQUE NULLS NOT DISTINCT (id) DEFERRABLE");
  EXPECT_EQ(key_constraint_definition("PRIMARY KEY (id) DEFERRABLE INITIALLY DEFERRED", columns,
                                      test_keywords),
            "PRIMARY KEY (id) DEFERRABLE INITIALLY DEFERRED");
  for (const char* bad :
       {"PRIMARY KEY (id); SELECT 1", "PRIMARY KEY (id) INCLUDE (x)", "PRIMARY KEY (nope)",
        "PRIMARY KEY ()", "PRIMARY KEY (\"id)", "CHECK (true)", "PRIMARY KEY (id, )",
        "UNIQUE (\"Mixed Col\"\")", "PRIMARY KEY (ID)", "PRIMARY KEY (id) --"})
    EXPECT_FALSE(key_constraint_definition(bad, columns, test_keywords)) << bad;
}

TEST(SequenceOptions, OnlyTheRecordedForm) {
  EXPECT_TRUE(sequence_options_valid(
      "INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1 NO CYCLE"));
  EXPECT_TRUE(sequence_options_valid(
      "INCREMENT BY -2 MINVALUE -9223372036854775808 MAXVALUE -1 START WITH -1 CACHE 20 CYCLE"));
  EXPECT_FALSE(sequence_options_valid("INCREMENT BY 1"));
  EXPECT_FALSE(sequence_options_valid(
      "INCREMENT BY 1 MINVALUE 1 MAXVALUE 2 START WITH 1 CACHE 1 NO CYCLE; SELECT 1"));
  EXPECT_FALSE(sequence_options_valid(
      "INCREMENT BY 1; MINVALUE 1 MAXVALUE 2 START WITH 1 CACHE 1 NO CYCLE"));
  EXPECT_FALSE(
      sequence_options_valid("INCREMENT BY x MINVALUE 1 MAXVALUE 2 START WITH 1 CACHE 1 NO CYCLE"));
}

Json text_member(Json object, const std::string& key, const std::string& value) {
  object.set(key, Json::from_string(value));
  return object;
}

// What a crafted dump could record: every text a way to run SQL.
Json forged_definition() {
  Json d = Json::object();
  d.set("owner", Json::from_string("postgres"));
  d.set("partition_key", Json::from_string("RANGE (id); SELECT 1"));
  Json columns = Json::array();
  Json id = text_member(Json::object(), "name", "id");
  id = text_member(id, "type", "integer, x integer DEFAULT evil()");
  id = text_member(id, "default", "evil()");
  id = text_member(id, "identity", "x; SELECT 1");
  id.set("not_null", Json::from_bool(true));
  columns.items.push_back(id);
  Json v = text_member(text_member(Json::object(), "name", "v"), "type", "text");
  columns.items.push_back(text_member(v, "collation", "\"C\", y int DEFAULT evil()"));
  d.set("columns", columns);
  Json constraints = Json::array();
  constraints.items.push_back(
      text_member(text_member(text_member(Json::object(), "name", "k"), "type", "p"), "definition",
                  "PRIMARY KEY (id); SELECT evil()"));
  constraints.items.push_back(
      text_member(text_member(text_member(Json::object(), "name", "u"), "type", "u"), "definition",
                  "UNIQUE (v)"));
  constraints.items.push_back(
      text_member(text_member(text_member(Json::object(), "name", "c"), "type", "c"), "definition",
                  "CHECK (evil() = 1)"));
  constraints.items.push_back(
      text_member(text_member(text_member(Json::object(), "name", "f"), "type", "f"), "definition",
                  "FOREIGN KEY (id) REFERENCES x"));
  d.set("constraints", constraints);
  Json indexes = Json::array();
  Json index = text_member(text_member(Json::object(), "name", "i"), "definition",
                           "USING btree (id); SELECT evil()");
  index.set("expressions", Json::from_bool(false));
  indexes.items.push_back(index);
  d.set("indexes", indexes);
  Json sequences = Json::array();
  Json seq = text_member(text_member(Json::object(), "column", "id"), "name", "s");
  seq = text_member(seq, "data_type", "integer; SELECT evil()");
  seq = text_member(seq, "options", "INCREMENT BY 1");
  sequences.items.push_back(seq);
  d.set("sequences", sequences);
  return d;
}

TEST(AdoptedDefinition, KeepsNothingThatRunsForAnotherRole) {
  std::vector<CopyColumn> copy{{"id", "integer", std::nullopt}, {"v", "text", "\"C\""}};
  Strings dropped;
  Json d = adopted_definition(forged_definition(), copy, "mallory", test_keywords, dropped);
  EXPECT_EQ(dropped, (Strings{"constraint k", "constraint f", "the sequence of column id"}));
  EXPECT_EQ(to_json_text(d),
            "{\"relkind\": \"r\", \"owner\": \"mallory\", \"partition_key\": null, "
            "\"columns\": [{\"name\": \"id\", \"type\": \"integer\", \"not_null\": true, "
            "\"collation\": null, \"default\": \"evil()\", \"generated\": null, \"identity\": "
            "null}, {\"name\": \"v\", \"type\": \"text\", \"not_null\": false, \"collation\": "
            "\"\\\"C\\\"\", \"default\": null, \"generated\": null, \"identity\": null}], "
            "\"primary_key\": null, \"constraints\": [{\"name\": \"u\", \"type\": \"u\", "
            "\"definition\": \"UNIQUE (v)\"}, {\"name\": \"c\", \"type\": \"c\", \"definition\": "
            "\"CHECK (evil() = 1)\"}], \"indexes\": [{\"name\": \"i\", \"unique\": false, "
            "\"expressions\": true, \"definition\": \"USING btree (id); SELECT evil()\"}], "
            "\"sequences\": []}");
  // Restored by a role whose rights the adopter lacks, only columns, types, NOT NULL and the
  // re-written key are DDL.
  TargetDdl ddl = target_ddl(d, "copy", "t", test_keywords, false);
  EXPECT_EQ(ddl.create_table, "CREATE TABLE copy.t (id integer NOT NULL, v text COLLATE \"C\")");
  EXPECT_EQ(ddl.after, (Strings{"ALTER TABLE copy.t ADD CONSTRAINT u UNIQUE (v)"}));
  EXPECT_TRUE(ddl.before.empty());
  EXPECT_EQ(ddl.skipped, (Strings{"default of column id", "constraint c", "index i"}));
}

TEST(AdoptedDefinition, KeepsAValidSequence) {
  Json d = Json::object();
  Json seq = text_member(text_member(Json::object(), "column", "id"), "name", "t_id_seq");
  seq = text_member(seq, "data_type", "integer");
  seq = text_member(seq, "options",
                    "INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1 NO CYCLE");
  seq.set("recorded", Json::from_bool(true));
  seq.set("last_value", Json::from_number("42"));
  Json sequences = Json::array();
  sequences.items.push_back(seq);
  d.set("sequences", sequences);
  Strings dropped;
  Json out =
      adopted_definition(d, {{"id", "integer", std::nullopt}}, "app", test_keywords, dropped);
  EXPECT_TRUE(dropped.empty());
  const Json* kept = out.find("sequences");
  ASSERT_NE(kept, nullptr);
  ASSERT_EQ(kept->items.size(), 1u);
  EXPECT_EQ(kept->items[0].find("last_value")->text, "42");
  seq.set("last_value", Json::from_number("1e3"));
  sequences.items[0] = seq;
  d.set("sequences", sequences);
  dropped.clear();
  adopted_definition(d, {{"id", "integer", std::nullopt}}, "app", test_keywords, dropped);
  EXPECT_EQ(dropped, (Strings{"the sequence of column id"}));
}

}  // namespace
}  // namespace pgdb::snapshots
