#include "core/json.hpp"

#include <gtest/gtest.h>

namespace pgdb {
namespace {

TEST(Json, WritesJsonbStyleText) {
  Json spec = Json::object();
  spec.set("kind", Json::from_string("protect"));
  spec.set("operations", Json::from_strings({"UPDATE", "DELETE"}));
  spec.set("message", Json::null_value());
  spec.set("premake", Json::from_number("4"));
  spec.set("dry", Json::from_bool(false));
  EXPECT_EQ(to_json_text(spec),
            "{\"kind\": \"protect\", \"operations\": [\"UPDATE\", \"DELETE\"], \"message\": null, "
            "\"premake\": 4, \"dry\": false}");
}

TEST(Json, EscapesStrings) {
  EXPECT_EQ(to_json_text(Json::from_string("a\"b\\c\nd\x01")), "\"a\\\"b\\\\c\\nd\\u0001\"");
  EXPECT_EQ(to_json_text(Json::from_string("café")), "\"café\"");
}

TEST(Json, SetReplacesAndFindFinds) {
  Json o = Json::object();
  o.set("a", Json::from_number("1"));
  o.set("a", Json::from_number("2"));
  ASSERT_NE(o.find("a"), nullptr);
  EXPECT_EQ(o.find("a")->text, "2");
  EXPECT_EQ(o.members.size(), 1u);
  EXPECT_EQ(o.find("b"), nullptr);
  EXPECT_EQ(Json::array().type_name(), "array");
}

}  // namespace
}  // namespace pgdb
