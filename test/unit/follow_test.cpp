#include "triggers/follow.hpp"

#include <gtest/gtest.h>

namespace pgdb::triggers {
namespace {

Json object(std::initializer_list<std::pair<std::string, Json>> members) {
  Json o = Json::object();
  for (const auto& [k, v] : members) o.set(k, v);
  return o;
}

Json spec_of(std::string kind, std::initializer_list<std::pair<std::string, Json>> args) {
  Json spec = object(
      {{"kind", Json::from_string(std::move(kind))}, {"tbl", Json::from_string("public.t")}});
  for (const auto& [k, v] : args) spec.set(k, v);
  spec.set("condition", Json::from_string("OLD.a IS DISTINCT FROM NEW.a"));
  spec.set("name", Json::from_string("a"));
  return spec;
}

TEST(SpecColumns, EveryKindThatNamesColumns) {
  using V = std::vector<std::string>;
  EXPECT_EQ(spec_columns(spec_of("updated_at", {{"column_name", Json::from_string("changed")}})),
            V{"changed"});
  EXPECT_EQ(spec_columns(spec_of("soft_delete", {{"column_name", Json::from_string("gone")}})),
            V{"gone"});
  EXPECT_EQ(spec_columns(spec_of("row_version", {{"column_name", Json::from_string("v")}})),
            V{"v"});
  EXPECT_EQ(spec_columns(spec_of("fsm", {{"column_name", Json::from_string("state")}})),
            V{"state"});
  EXPECT_EQ(spec_columns(spec_of("search_vector",
                                 {{"column_name", Json::from_string("sv")},
                                  {"columns", object({{"title", Json::from_string("A")},
                                                      {"body", Json::from_string("B")}})}})),
            (V{"sv", "title", "body"}));
  EXPECT_EQ(spec_columns(spec_of("read_only", {{"columns", Json::from_strings({"a", "b"})},
                                               {"except_columns", Json::null_value()}})),
            (V{"a", "b"}));
  EXPECT_EQ(spec_columns(spec_of("read_only", {{"columns", Json::null_value()},
                                               {"except_columns", Json::from_strings({"c"})}})),
            V{"c"});
}

TEST(SpecColumns, NoneForKindsWithoutColumnsAndForOddSpecs) {
  // protect's and manage_trigger's arguments name no columns; "name" and "tbl" are not columns
  EXPECT_TRUE(spec_columns(spec_of("protect", {{"column_name", Json::from_string("x")}})).empty());
  EXPECT_TRUE(
      spec_columns(spec_of("manage_trigger", {{"args", Json::from_strings({"x"})}})).empty());
  EXPECT_TRUE(spec_columns(Json::from_string("updated_at")).empty());
  EXPECT_TRUE(
      spec_columns(spec_of("updated_at", {{"column_name", Json::from_bool(true)}})).empty());
}

TEST(RenameSpecColumn, ColumnName) {
  Json spec = spec_of("updated_at", {{"column_name", Json::from_string("changed")},
                                     {"on_insert", Json::from_bool(false)}});
  EXPECT_TRUE(rename_spec_column(spec, "changed", "modified"));
  EXPECT_EQ(to_json_text(spec),
            "{\"kind\": \"updated_at\", \"tbl\": \"public.t\", \"column_name\": \"modified\", "
            "\"on_insert\": false, \"condition\": \"OLD.a IS DISTINCT FROM NEW.a\", "
            "\"name\": \"a\"}");
  // the trigger's name and the condition are not columns of the arguments
  EXPECT_FALSE(rename_spec_column(spec, "a", "b"));
  EXPECT_FALSE(rename_spec_column(spec, "Modified", "x"));  // names are exact, not folded
}

TEST(RenameSpecColumn, SearchVectorTargetAndSources) {
  Json spec = spec_of(
      "search_vector",
      {{"column_name", Json::from_string("title")},
       {"columns", object({{"title", Json::from_string("A")}, {"body", Json::from_string("B")}})}});
  EXPECT_TRUE(rename_spec_column(spec, "title", "headline"));
  EXPECT_EQ(to_json_text(*spec.find("columns")), "{\"headline\": \"A\", \"body\": \"B\"}");
  EXPECT_EQ(spec.find("column_name")->text, "headline");
  EXPECT_TRUE(rename_spec_column(spec, "body", "text"));
  EXPECT_EQ(to_json_text(*spec.find("columns")), "{\"headline\": \"A\", \"text\": \"B\"}");
}

TEST(RenameSpecColumn, ReadOnlyListsAndOnlyKindsThatNameColumns) {
  Json spec = spec_of("read_only", {{"columns", Json::null_value()},
                                    {"except_columns", Json::from_strings({"note", "seen"})}});
  EXPECT_TRUE(rename_spec_column(spec, "seen", "seen_at"));
  EXPECT_EQ(to_json_text(*spec.find("except_columns")), "[\"note\", \"seen_at\"]");
  Json protect = spec_of("protect", {{"message", Json::from_string("seen")}});
  EXPECT_FALSE(rename_spec_column(protect, "seen", "x"));
  Json managed = spec_of("manage_trigger", {{"args", Json::from_strings({"seen"})}});
  EXPECT_FALSE(rename_spec_column(managed, "seen", "x"));
  Json same = spec_of("fsm", {{"column_name", Json::from_string("state")}});
  EXPECT_FALSE(rename_spec_column(same, "state", "state"));
}

TEST(IdentifierEnd, PlainQuotedAndRefused) {
  EXPECT_EQ(identifier_end("abc def", 0), 3);
  EXPECT_EQ(identifier_end("x.$a_1+2", 2), 6);
  EXPECT_EQ(identifier_end("\xc3\xa9t\xc3\xa9 = 1", 0), 5);  // multibyte bytes count as letters
  EXPECT_EQ(identifier_end("\"a\"\"b\" x", 0), 6);           // a doubled quote stays inside
  EXPECT_EQ(identifier_end("\"open", 0), -1);
  EXPECT_EQ(identifier_end("U&\"d\\0061\"", 0), -1);
  EXPECT_EQ(identifier_end("u&x", 0), -1);
}

TEST(ReplaceNames, KeepsQuotingAsWritten) {
  std::string condition = "OLD.a <> NEW.\"a\" AND a > 0";
  std::vector<NameSpan> spans{{4, 5}, {13, 16}};
  EXPECT_EQ(replace_names(condition, spans, "b c", "\"b c\""),
            "OLD.\"b c\" <> NEW.\"b c\" AND a > 0");
  EXPECT_EQ(replace_names(condition, spans, "x", "x"), "OLD.x <> NEW.\"x\" AND a > 0");
  EXPECT_EQ(replace_names(condition, spans, "q\"r", "\"q\"\"r\""),
            "OLD.\"q\"\"r\" <> NEW.\"q\"\"r\" AND a > 0");
}

TEST(ReplaceNames, NeverPartial) {
  std::vector<NameSpan> spans{{4, 5}, {13, -1}};
  EXPECT_EQ(replace_names("OLD.a <> NEW.U&\"a\"", spans, "b", "b"), std::nullopt);
  EXPECT_EQ(replace_names("OLD.a", {}, "b", "b"), "OLD.a");
}

}  // namespace
}  // namespace pgdb::triggers
