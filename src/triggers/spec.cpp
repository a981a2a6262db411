#include "triggers/spec.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/naming.hpp"
#include "core/pg_free.hpp"

namespace pgdb::triggers {

namespace {

enum class ArgType { text, text_array, boolean, object };

struct ArgDef {
  std::string_view name;
  ArgType type;
  bool required;
  Json (*default_value)();
};

struct KindDef {
  std::string_view kind;
  std::vector<ArgDef> args;
};

Json null_default() { return Json::null_value(); }
Json update_delete() { return Json::from_strings({"UPDATE", "DELETE"}); }
Json updated_at_column() { return Json::from_string("updated_at"); }
Json false_default() { return Json::from_bool(false); }
Json true_default() { return Json::from_bool(true); }
Json version_column() { return Json::from_string("version"); }
Json simple_config() { return Json::from_string("simple"); }
Json after_default() { return Json::from_string("AFTER"); }
Json all_row_events() { return Json::from_strings({"INSERT", "UPDATE", "DELETE"}); }
Json row_default() { return Json::from_string("ROW"); }
Json no_args() { return Json::from_strings({}); }
Json row_format() { return Json::from_string("row"); }

const std::vector<KindDef>& kind_defs() {
  static const std::vector<KindDef> defs = {
      {"protect",
       {{"operations", ArgType::text_array, false, update_delete},
        {"message", ArgType::text, false, null_default}}},
      {"read_only",
       {{"columns", ArgType::text_array, false, null_default},
        {"except_columns", ArgType::text_array, false, null_default}}},
      {"soft_delete",
       {{"column_name", ArgType::text, true, null_default},
        {"value", ArgType::text, false, null_default}}},
      {"fsm",
       {{"column_name", ArgType::text, true, null_default},
        {"transitions", ArgType::object, true, null_default}}},
      {"updated_at",
       {{"column_name", ArgType::text, false, updated_at_column},
        {"on_insert", ArgType::boolean, false, false_default}}},
      {"search_vector",
       {{"column_name", ArgType::text, true, null_default},
        {"columns", ArgType::object, true, null_default},
        {"config", ArgType::text, false, simple_config}}},
      {"manage_trigger",
       {{"function", ArgType::text, true, null_default},
        {"timing", ArgType::text, false, after_default},
        {"events", ArgType::text_array, false, all_row_events},
        {"level", ArgType::text, false, row_default},
        {"args", ArgType::text_array, false, no_args}}},
      {"row_version",
       {{"column_name", ArgType::text, false, version_column},
        {"check_stale", ArgType::boolean, false, true_default}}},
      {"history",
       {{"history_table", ArgType::text, false, null_default},
        {"operations", ArgType::text_array, false, all_row_events},
        {"exclude_columns", ArgType::text_array, false, no_args},
        {"format", ArgType::text, false, row_format},
        {"changed_only", ArgType::boolean, false, true_default}}},
  };
  return defs;
}

std::string_view arg_type_name(ArgType type) {
  switch (type) {
    case ArgType::text:
      return "a string";
    case ArgType::text_array:
      return "an array of strings";
    case ArgType::boolean:
      return "a boolean";
    case ArgType::object:
      return "a JSON object";
  }
  return "";
}

bool has_type(const Json& value, ArgType type) {
  if (value.type == Json::Type::null) return true;  // NULL is the SQL functions' "not given"
  switch (type) {
    case ArgType::text:
      return value.type == Json::Type::string;
    case ArgType::boolean:
      return value.type == Json::Type::boolean;
    case ArgType::object:
      return value.type == Json::Type::object;
    case ArgType::text_array:
      return value.type == Json::Type::array &&
             std::all_of(value.items.begin(), value.items.end(),
                         [](const Json& item) { return item.type == Json::Type::string; });
  }
  return false;
}

// "null", "string", ... or "an array holding a null" when an item is what is wrong.
std::string described(const Json& value) {
  if (value.type == Json::Type::array) {
    for (const Json& item : value.items) {
      if (item.type != Json::Type::string)
        return "an array holding a " + std::string(item.type_name());
    }
  }
  return std::string(value.type_name());
}

std::string where(std::size_t position, std::string_view kind) {
  std::string text = "spec " + std::to_string(position);
  if (!kind.empty()) text += " (" + std::string(kind) + ")";
  return text;
}

std::optional<std::string> optional_text(const Json& spec, std::string_view key,
                                         const std::string& context) {
  const Json* value = spec.find(key);
  if (value == nullptr || value->type == Json::Type::null) return std::nullopt;
  if (value->type != Json::Type::string)
    throw Error(sqlstate::invalid_parameter_value, context + ": \"" + std::string(key) +
                                                       "\" must be a string, not " +
                                                       std::string(value->type_name()));
  return value->text;
}

std::string kinds_list() {
  std::string list;
  for (const std::string& kind : known_kinds()) list += (list.empty() ? "" : ", ") + kind;
  return list;
}

}  // namespace

const Json& Spec::arg(std::string_view key) const {
  const Json* value = args.find(key);
  if (value == nullptr)
    throw Error(sqlstate::internal_error, "kind " + kind + " has no argument " + std::string(key));
  return *value;
}

void require_trigger_name_length(std::string_view name, const std::string& what) {
  if (name.size() <= max_identifier_bytes) return;
  // PostgreSQL would cut it to 63 bytes (with a NOTICE), and the trigger would not have the name
  // its record and the caller's later calls use.
  throw Error("42622",
              what + " is " + std::to_string(name.size()) +
                  " bytes long; trigger names have at most " + std::to_string(max_identifier_bytes),
              {}, "Choose a shorter name.");
}

std::optional<std::vector<std::string>> split_qualified_trigger(std::string_view name) {
  std::vector<std::string> parts;
  std::size_t i = 0;
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; };
  while (true) {
    while (i < name.size() && blank(name[i])) ++i;
    std::string part;
    if (i < name.size() && name[i] == '"') {
      ++i;
      while (true) {
        if (i >= name.size()) return std::nullopt;  // unterminated quote
        if (name[i] == '"') {
          if (i + 1 < name.size() && name[i + 1] == '"') {
            part += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        part += name[i++];
      }
    } else {
      while (i < name.size() && name[i] != '.' && !blank(name[i]) && name[i] != '"') {
        char c = name[i++];
        part += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
      }
    }
    if (part.empty()) return std::nullopt;
    parts.push_back(std::move(part));
    while (i < name.size() && blank(name[i])) ++i;
    if (i == name.size()) break;
    if (name[i] != '.') return std::nullopt;
    ++i;
  }
  if (parts.size() < 2 || parts.size() > 3) return std::nullopt;
  return parts;
}

const std::vector<std::string>& known_kinds() {
  static const std::vector<std::string> kinds = [] {
    std::vector<std::string> names;
    for (const KindDef& def : kind_defs()) names.emplace_back(def.kind);
    return names;
  }();
  return kinds;
}

Spec parse_spec(const Json& spec, std::size_t position) {
  if (spec.type != Json::Type::object)
    throw Error(
        sqlstate::invalid_parameter_value,
        where(position, {}) + " must be a JSON object, not " + std::string(spec.type_name()), {},
        "Write each spec as {\"kind\": \"protect\", \"tbl\": \"app.orders\", ...}.");
  std::optional<std::string> kind = optional_text(spec, "kind", where(position, {}));
  if (!kind)
    throw Error(sqlstate::invalid_parameter_value, where(position, {}) + " has no \"kind\"", {},
                "Known kinds: " + kinds_list() + ".");
  const auto& defs = kind_defs();
  auto def =
      std::find_if(defs.begin(), defs.end(), [&](const KindDef& d) { return d.kind == *kind; });
  if (def == defs.end())
    throw Error(sqlstate::invalid_parameter_value,
                where(position, {}) + ": unknown kind \"" + *kind + "\"", {},
                "Known kinds: " + kinds_list() + ".");
  std::string context = where(position, *kind);

  Spec result;
  result.kind = *kind;
  std::optional<std::string> tbl = optional_text(spec, "tbl", context);
  if (!tbl || tbl->empty())
    throw Error(sqlstate::invalid_parameter_value, context + " has no \"tbl\"", {},
                "Name the table, e.g. \"tbl\": \"app.orders\".");
  result.tbl = *tbl;
  result.condition = optional_text(spec, "condition", context);
  result.name = optional_text(spec, "name", context);
  if (result.name && result.name->empty())
    throw Error(sqlstate::invalid_parameter_value, context + ": \"name\" must not be empty");
  if (result.name) require_trigger_name_length(*result.name, context + ": \"name\"");

  for (const auto& [key, value] : spec.members) {
    if (key == "kind" || key == "tbl" || key == "condition" || key == "name") continue;
    bool declared = std::any_of(def->args.begin(), def->args.end(),
                                [&](const ArgDef& a) { return a.name == key; });
    if (!declared) {
      std::string accepted = "kind, tbl";
      for (const ArgDef& a : def->args) accepted += ", " + std::string(a.name);
      throw Error(sqlstate::invalid_parameter_value, context + ": unknown key \"" + key + "\"", {},
                  "Keys accepted for " + *kind + ": " + accepted + ", condition, name.");
    }
  }
  result.args = Json::object();
  for (const ArgDef& arg : def->args) {
    const Json* given = spec.find(arg.name);
    bool absent = given == nullptr || given->type == Json::Type::null;
    if (absent && arg.required)
      throw Error(sqlstate::invalid_parameter_value,
                  context + ": \"" + std::string(arg.name) + "\" is required");
    if (!absent && !has_type(*given, arg.type))
      throw Error(sqlstate::invalid_parameter_value,
                  context + ": \"" + std::string(arg.name) + "\" must be " +
                      std::string(arg_type_name(arg.type)) + ", not " + described(*given));
    result.args.set(std::string(arg.name), absent ? arg.default_value() : *given);
  }
  return result;
}

Json canonical_spec(const Spec& spec, std::string_view resolved_table,
                    std::string_view trigger_name) {
  Json canonical = Json::object();
  canonical.set("kind", Json::from_string(spec.kind));
  canonical.set("tbl", Json::from_string(std::string(resolved_table)));
  for (const auto& [key, value] : spec.args.members) canonical.set(key, value);
  canonical.set("condition",
                spec.condition ? Json::from_string(*spec.condition) : Json::null_value());
  canonical.set("name", Json::from_string(std::string(trigger_name)));
  return canonical;
}

}  // namespace pgdb::triggers
