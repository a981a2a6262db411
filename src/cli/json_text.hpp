// JSON text (RFC 8259) into the Json model: the table definitions an archive's manifest records
// are JSON text, and the command-line tool reads them without a server. PG-free.
#pragma once

#include <string_view>

#include "core/json.hpp"

namespace pgdb::cli {

// Throws pgdb::Error (XX001) naming the byte offset for text that is not one JSON value, nests
// deeper than 100 levels, or holds an escape that is not valid UTF-16. Numbers keep their literal;
// a repeated key keeps its last value (as jsonb does).
Json parse_json(std::string_view text);

}  // namespace pgdb::cli
