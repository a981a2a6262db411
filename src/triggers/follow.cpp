#include "triggers/follow.hpp"

#include <cctype>
#include <string_view>

#include "core/pg_free.hpp"

namespace pgdb::triggers {

namespace {

const Json* member(const Json& spec, std::string_view key) {
  return spec.type == Json::Type::object ? spec.find(key) : nullptr;
}

std::string kind_of(const Json& spec) {
  const Json* kind = member(spec, "kind");
  return kind != nullptr && kind->type == Json::Type::string ? kind->text : std::string();
}

bool names_column_name(const std::string& kind) {
  return kind == "updated_at" || kind == "soft_delete" || kind == "row_version" || kind == "fsm" ||
         kind == "search_vector";
}

}  // namespace

std::vector<std::string> spec_columns(const Json& spec) {
  std::vector<std::string> columns;
  std::string kind = kind_of(spec);
  if (names_column_name(kind)) {
    const Json* column = member(spec, "column_name");
    if (column != nullptr && column->type == Json::Type::string) columns.push_back(column->text);
  }
  if (kind == "search_vector") {
    const Json* sources = member(spec, "columns");
    if (sources != nullptr && sources->type == Json::Type::object)
      for (const auto& [source, weight] : sources->members) columns.push_back(source);
  }
  if (kind == "read_only") {
    for (std::string_view key : {"columns", "except_columns"}) {
      const Json* listed = member(spec, key);
      if (listed == nullptr || listed->type != Json::Type::array) continue;
      for (const Json& item : listed->items)
        if (item.type == Json::Type::string) columns.push_back(item.text);
    }
  }
  return columns;
}

bool rename_spec_column(Json& spec, const std::string& from, const std::string& to) {
  if (spec.type != Json::Type::object || from == to) return false;
  bool changed = false;
  std::string kind = kind_of(spec);
  for (auto& [key, value] : spec.members) {
    if (key == "column_name" && names_column_name(kind) && value.type == Json::Type::string &&
        value.text == from) {
      value.text = to;
      changed = true;
    } else if (key == "columns" && kind == "search_vector" && value.type == Json::Type::object) {
      for (auto& [source, weight] : value.members) {
        if (source != from) continue;
        source = to;
        changed = true;
      }
    } else if ((key == "columns" || key == "except_columns") && kind == "read_only" &&
               value.type == Json::Type::array) {
      for (Json& item : value.items) {
        if (item.type != Json::Type::string || item.text != from) continue;
        item.text = to;
        changed = true;
      }
    }
  }
  return changed;
}

int identifier_end(const char* text, int start) noexcept {
  int i = start;
  if (text[i] == '"') {
    for (++i; text[i] != '\0'; ++i) {
      if (text[i] != '"') continue;
      if (text[i + 1] == '"') {
        ++i;
        continue;
      }
      return i + 1;
    }
    return -1;
  }
  if ((text[i] == 'u' || text[i] == 'U') && text[i + 1] == '&') return -1;
  while (text[i] != '\0') {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80 && !std::isalnum(c) && c != '_' && c != '$') break;
    ++i;
  }
  return i;
}

std::optional<std::string> replace_names(const std::string& condition,
                                         const std::vector<NameSpan>& spans, const std::string& to,
                                         const std::string& plain_to) {
  std::string quoted = "\"";
  for (char c : to) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  quoted += "\"";
  std::string renamed = condition;
  for (auto span = spans.rbegin(); span != spans.rend(); ++span) {
    if (span->end < 0) return std::nullopt;
    bool was_quoted = condition[span->start] == '"';
    renamed.replace(span->start, span->end - span->start, was_quoted ? quoted : plain_to);
  }
  return renamed;
}

}  // namespace pgdb::triggers
