// A small JSON document model for specs passed as jsonb: the boundary converts jsonb into it, the
// PG-free spec parsers read it, and to_json_text writes the canonical form back. PG-free.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pgdb {

struct Json {
  enum class Type { null, boolean, number, string, array, object };

  Type type = Type::null;
  bool boolean = false;
  std::string text;  // a string's value, or a number's literal as written
  std::vector<Json> items;
  std::vector<std::pair<std::string, Json>> members;  // in key order for objects from jsonb

  static Json of(Type type) {
    Json j;
    j.type = type;
    return j;
  }
  static Json null_value() { return Json{}; }
  static Json from_bool(bool value);
  static Json from_string(std::string value);
  static Json from_number(std::string literal);
  static Json from_strings(const std::vector<std::string>& values);
  static Json array() { return of(Type::array); }
  static Json object() { return of(Type::object); }

  const Json* find(std::string_view key) const;  // nullptr when absent (objects only)
  Json& set(std::string key, Json value);        // adds or replaces a member
  std::string_view type_name() const;            // "null", "boolean", ... as jsonb_typeof()
};

// Compact JSON text with jsonb's formatting (", " and ": " separators), members in stored order.
std::string to_json_text(const Json& value);

}  // namespace pgdb
