#include "pg/quote.hpp"

#include "core/quote.hpp"
#include "pg/postgres.hpp"

namespace pgdb::pg {

KeywordKind server_keywords(std::string_view word) {
  char buffer[NAMEDATALEN];
  if (word.size() >= sizeof buffer) return KeywordKind::not_keyword;  // longer than any keyword
  std::memcpy(buffer, word.data(), word.size());
  buffer[word.size()] = '\0';
  int keyword = ScanKeywordLookup(buffer, &ScanKeywords);  // pure lookup, never raises
  if (keyword < 0) return KeywordKind::not_keyword;
  return ScanKeywordCategories[keyword] == UNRESERVED_KEYWORD ? KeywordKind::unreserved
                                                              : KeywordKind::reserved_or_restricted;
}

std::string quote_identifier(std::string_view ident) {
  return pgdb::quote_identifier(ident, server_keywords, quote_all_identifiers);
}

std::string quote_literal(std::string_view value) { return pgdb::quote_literal(value); }

}  // namespace pgdb::pg
