// SQL arguments of the trigger room's entry points read into C++ values (arguments_pg.cpp).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pg/postgres.hpp"

namespace pgdb::triggers {

// The items of a text[] argument, NULL items as nullopt; 22023 naming argument when the array has
// more than one dimension.
std::vector<std::optional<std::string>> text_array_items(Datum array, const char* argument);

}  // namespace pgdb::triggers
