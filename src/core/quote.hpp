// Quoting of identifiers and literals for SQL text, with PostgreSQL's rules. PG-free: the keyword
// list is PostgreSQL's own, so the caller supplies the lookup (src/pg/quote.hpp wires the
// server's).
#pragma once

#include <string>
#include <string_view>

namespace pgdb {

enum class KeywordKind { not_keyword, unreserved, reserved_or_restricted };

// Classifies a lower-case word as PostgreSQL's parser would.
using KeywordLookup = KeywordKind (*)(std::string_view word);

// ident unchanged when it is a plain lower-case identifier that is not a keyword needing quotes;
// otherwise wrapped in double quotes with inner double quotes doubled. Same result as
// PostgreSQL's quote_identifier() given the same keyword list and force_quotes setting.
std::string quote_identifier(std::string_view ident, KeywordLookup lookup,
                             bool force_quotes = false);

// A string literal that reads back as value under any standard_conforming_strings setting, as
// PostgreSQL's quote_literal(): quotes and backslashes doubled, E'' when a backslash is present.
std::string quote_literal(std::string_view value);

}  // namespace pgdb
