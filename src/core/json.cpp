#include "core/json.hpp"

#include <cstdio>

#include "core/pg_free.hpp"

namespace pgdb {

Json Json::from_bool(bool value) {
  Json j = of(Type::boolean);
  j.boolean = value;
  return j;
}

Json Json::from_string(std::string value) {
  Json j = of(Type::string);
  j.text = std::move(value);
  return j;
}

Json Json::from_number(std::string literal) {
  Json j = of(Type::number);
  j.text = std::move(literal);
  return j;
}

Json Json::from_strings(const std::vector<std::string>& values) {
  Json j = of(Type::array);
  for (const std::string& v : values) j.items.push_back(from_string(v));
  return j;
}

const Json* Json::find(std::string_view key) const {
  for (const auto& [name, value] : members) {
    if (name == key) return &value;
  }
  return nullptr;
}

Json& Json::set(std::string key, Json value) {
  for (auto& [name, existing] : members) {
    if (name == key) return existing = std::move(value);
  }
  members.emplace_back(std::move(key), std::move(value));
  return members.back().second;
}

std::string_view Json::type_name() const {
  switch (type) {
    case Type::null:
      return "null";
    case Type::boolean:
      return "boolean";
    case Type::number:
      return "number";
    case Type::string:
      return "string";
    case Type::array:
      return "array";
    case Type::object:
      return "object";
  }
  return "unknown";
}

namespace {

void append_string(std::string& out, std::string_view s) {
  out.push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20) {
          char escaped[7];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
          out += escaped;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

void append(std::string& out, const Json& value) {
  switch (value.type) {
    case Json::Type::null:
      out += "null";
      break;
    case Json::Type::boolean:
      out += value.boolean ? "true" : "false";
      break;
    case Json::Type::number:
      out += value.text;
      break;
    case Json::Type::string:
      append_string(out, value.text);
      break;
    case Json::Type::array:
      out.push_back('[');
      for (std::size_t i = 0; i < value.items.size(); ++i) {
        if (i > 0) out += ", ";
        append(out, value.items[i]);
      }
      out.push_back(']');
      break;
    case Json::Type::object:
      out.push_back('{');
      for (std::size_t i = 0; i < value.members.size(); ++i) {
        if (i > 0) out += ", ";
        append_string(out, value.members[i].first);
        out += ": ";
        append(out, value.members[i].second);
      }
      out.push_back('}');
      break;
  }
}

}  // namespace

std::string to_json_text(const Json& value) {
  std::string out;
  append(out, value);
  return out;
}

}  // namespace pgdb
