// Conversions between PostgreSQL values and C++ values, through the reverse guard.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pg/guard.hpp"

namespace pgdb::pg {

// A text (or varchar, name-as-text) datum, detoasted, as a std::string.
std::string text_to_string(Datum value);

// 54000 when value cannot become a text datum (over 1 GB).
void require_text_size(std::string_view value);

// Sends a NOTICE to the client.
void notice(const std::string& message);

// A new text datum, palloc'd in the current memory context.
Datum string_to_text(std::string_view value);

// The items of a one-dimensional array datum of element_type, NULL items as nullopt; 22023 naming
// `argument` when the array has more than one dimension. Pass-by-reference items point into the
// detoasted array.
std::vector<std::optional<Datum>> array_items(Datum array, Oid element_type, const char* argument);

// A new one-dimensional text[] datum, palloc'd in the current memory context.
Datum strings_to_text_array(const std::vector<std::string>& values);

}  // namespace pgdb::pg
