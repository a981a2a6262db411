#include "triggers/spec.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace pgdb::triggers {
namespace {

Json object(std::initializer_list<std::pair<std::string, Json>> members) {
  Json o = Json::object();
  for (const auto& [k, v] : members) o.set(k, v);
  return o;
}

std::string error_of(const Json& spec) {
  try {
    parse_spec(spec, 2);
  } catch (const Error& e) {
    EXPECT_STREQ(e.sqlstate(), "22023");
    return e.what();
  }
  return "no error";
}

TEST(ParseSpec, AppliesDefaults) {
  Spec s = parse_spec(
      object({{"kind", Json::from_string("protect")}, {"tbl", Json::from_string("app.orders")}}),
      1);
  EXPECT_EQ(s.kind, "protect");
  EXPECT_EQ(s.tbl, "app.orders");
  EXPECT_FALSE(s.condition);
  EXPECT_FALSE(s.name);
  EXPECT_EQ(to_json_text(s.args), "{\"operations\": [\"UPDATE\", \"DELETE\"], \"message\": null}");
}

TEST(ParseSpec, NullMeansDefault) {
  Spec s = parse_spec(object({{"kind", Json::from_string("updated_at")},
                              {"tbl", Json::from_string("t")},
                              {"column_name", Json::null_value()},
                              {"condition", Json::null_value()}}),
                      1);
  EXPECT_EQ(s.arg("column_name").text, "updated_at");
  EXPECT_FALSE(s.condition);
}

TEST(ParseSpec, KeepsGivenArguments) {
  Spec s = parse_spec(object({{"kind", Json::from_string("updated_at")},
                              {"tbl", Json::from_string("t")},
                              {"on_insert", Json::from_bool(true)},
                              {"column_name", Json::from_string("modified")},
                              {"name", Json::from_string("touch")},
                              {"condition", Json::from_string("NEW.x > 0")}}),
                      1);
  EXPECT_EQ(to_json_text(s.args), "{\"column_name\": \"modified\", \"on_insert\": true}");
  EXPECT_EQ(*s.name, "touch");
  EXPECT_EQ(*s.condition, "NEW.x > 0");
}

TEST(ParseSpec, ErrorsNameThePositionKindAndKey) {
  EXPECT_EQ(error_of(Json::from_string("protect")), "spec 2 must be a JSON object, not string");
  EXPECT_EQ(error_of(object({{"tbl", Json::from_string("t")}})), "spec 2 has no \"kind\"");
  EXPECT_EQ(error_of(object({{"kind", Json::from_string("shield")}})),
            "spec 2: unknown kind \"shield\"");
  EXPECT_EQ(error_of(object({{"kind", Json::from_string("protect")}})),
            "spec 2 (protect) has no \"tbl\"");
  EXPECT_EQ(error_of(object({{"kind", Json::from_string("protect")},
                             {"tbl", Json::from_string("t")},
                             {"column_name", Json::from_string("x")}})),
            "spec 2 (protect): unknown key \"column_name\"");
  EXPECT_EQ(error_of(object({{"kind", Json::from_string("protect")},
                             {"tbl", Json::from_string("t")},
                             {"operations", Json::from_string("DELETE")}})),
            "spec 2 (protect): \"operations\" must be an array of strings, not string");
  Json with_null = Json::from_strings({"DELETE"});
  with_null.items.push_back(Json::null_value());
  EXPECT_EQ(error_of(object({{"kind", Json::from_string("protect")},
                             {"tbl", Json::from_string("t")},
                             {"operations", with_null}})),
            "spec 2 (protect): \"operations\" must be an array of strings, not an array holding "
            "a null");
  EXPECT_EQ(error_of(object({{"kind", Json::from_string("updated_at")},
                             {"tbl", Json::from_string("t")},
                             {"on_insert", Json::from_string("yes")}})),
            "spec 2 (updated_at): \"on_insert\" must be a boolean, not string");
  EXPECT_EQ(error_of(object({{"kind", Json::from_string("protect")},
                             {"tbl", Json::from_string("t")},
                             {"name", Json::from_string("")}})),
            "spec 2 (protect): \"name\" must not be empty");
}

TEST(ParseSpec, RefusesNamesLongerThanAnIdentifier) {
  auto with_name = [](std::string name) {
    return object({{"kind", Json::from_string("protect")},
                   {"tbl", Json::from_string("t")},
                   {"name", Json::from_string(std::move(name))}});
  };
  EXPECT_EQ(*parse_spec(with_name(std::string(63, 'x')), 1).name, std::string(63, 'x'));
  // bytes, not characters: 32 two-byte characters are 64 bytes
  std::string accented;
  for (int i = 0; i < 32; ++i) accented += "\xc3\xa9";
  for (const std::string& name : {std::string(64, 'x'), accented}) {
    try {
      parse_spec(with_name(name), 3);
      ADD_FAILURE() << "accepted a " << name.size() << "-byte name";
    } catch (const Error& e) {
      EXPECT_STREQ(e.sqlstate(), "42622");
      EXPECT_EQ(std::string(e.what()),
                "spec 3 (protect): \"name\" is 64 bytes long; trigger names have at most 63");
    }
  }
}

TEST(SplitQualifiedTrigger, ReadsNamesAsPostgreSQLDoes) {
  using Parts = std::vector<std::string>;
  EXPECT_EQ(split_qualified_trigger("orders.pgdb_protect_orders"),
            (Parts{"orders", "pgdb_protect_orders"}));
  EXPECT_EQ(split_qualified_trigger("App.Orders.Keep"), (Parts{"app", "orders", "keep"}));
  EXPECT_EQ(split_qualified_trigger(" app . \"My \"\"Orders\"\"\" . \"x.y\" "),
            (Parts{"app", "My \"Orders\"", "x.y"}));
  // not qualified names: a plain trigger name, too many parts, empty parts, a broken quote
  for (std::string_view bad :
       {"pgdb_protect_orders", "a.b.c.d", "a..b", ".a", "a.", "\"a.b", "a.\"b\"c", "a b.c", ""})
    EXPECT_FALSE(split_qualified_trigger(bad).has_value()) << bad;
}

TEST(CanonicalSpec, SameTriggerComparesEqualHoweverWritten) {
  Spec short_form = parse_spec(
      object({{"kind", Json::from_string("protect")}, {"tbl", Json::from_string("orders")}}), 1);
  Spec long_form = parse_spec(object({{"name", Json::null_value()},
                                      {"operations", Json::from_strings({"UPDATE", "DELETE"})},
                                      {"tbl", Json::from_string("public.orders")},
                                      {"kind", Json::from_string("protect")}}),
                              1);
  EXPECT_EQ(to_json_text(canonical_spec(short_form, "public.orders", "pgdb_protect_orders")),
            to_json_text(canonical_spec(long_form, "public.orders", "pgdb_protect_orders")));
}

}  // namespace
}  // namespace pgdb::triggers
