// Identifier and literal quoting with the server's keyword list and quote_all_identifiers setting.
#pragma once

#include <string>
#include <string_view>

#include "core/quote.hpp"

namespace pgdb::pg {

// The server's keyword list, for the PG-free SQL renderers.
KeywordKind server_keywords(std::string_view word);

std::string quote_identifier(std::string_view ident);
std::string quote_literal(std::string_view value);

}  // namespace pgdb::pg
