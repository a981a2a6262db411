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

// The items of a one-dimensional array argument, which must hold no NULL: 22023 naming argument
// ("tables must not contain NULL") otherwise.
std::vector<Datum> array_values(Datum array, Oid element_type, const char* argument);

// The tables of a regclass[] argument; 22023 naming argument for a NULL item or for 0 ('-'),
// which names no table.
std::vector<Oid> regclass_array_values(Datum array, const char* argument);

// The items of a text[] argument as strings, NULL items as nullopt; 22023 naming argument when the
// array has more than one dimension.
std::vector<std::optional<std::string>> text_array_items(Datum array, const char* argument);

// The items of a text[] argument as strings; 22023 naming argument for a NULL item.
std::vector<std::string> text_array_values(Datum array, const char* argument);

// A new one-dimensional text[] datum, palloc'd in the current memory context.
Datum strings_to_text_array(const std::vector<std::string>& values);

// A new one-dimensional oid[] datum, palloc'd in the current memory context.
Datum oids_to_array(const std::vector<Oid>& values);

// A value as its type's output function prints it.
std::string output_text(Datum value, Oid type);

}  // namespace pgdb::pg
