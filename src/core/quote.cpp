#include "core/quote.hpp"

#include "core/pg_free.hpp"

namespace pgdb {

namespace {
bool is_plain_identifier(std::string_view ident) {
  if (ident.empty()) return false;
  char first = ident.front();
  if (!((first >= 'a' && first <= 'z') || first == '_')) return false;
  for (char c : ident) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}
}  // namespace

std::string quote_identifier(std::string_view ident, KeywordLookup lookup, bool force_quotes) {
  bool safe = !force_quotes && is_plain_identifier(ident) &&
              lookup(ident) != KeywordKind::reserved_or_restricted;
  if (safe) return std::string(ident);
  std::string quoted;
  quoted.reserve(ident.size() + 2);
  quoted.push_back('"');
  for (char c : ident) {
    if (c == '"') quoted.push_back('"');
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return quoted;
}

std::string quote_literal(std::string_view value) {
  std::string quoted;
  quoted.reserve(value.size() + 3);
  if (value.find('\\') != std::string_view::npos) quoted.push_back('E');
  quoted.push_back('\'');
  for (char c : value) {
    if (c == '\'' || c == '\\') quoted.push_back(c);
    quoted.push_back(c);
  }
  quoted.push_back('\'');
  return quoted;
}

}  // namespace pgdb
