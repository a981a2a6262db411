#include "triggers/arguments.hpp"

#include "core/error.hpp"
#include "pg/datum.hpp"
#include "pg/guard.hpp"

extern "C" {
#include "catalog/pg_type.h"
}

namespace pgdb::triggers {

std::vector<std::optional<std::string>> text_array_items(Datum array_datum, const char* argument) {
  std::vector<std::optional<std::string>> items;
  for (const std::optional<Datum>& item : pg::array_items(array_datum, TEXTOID, argument))
    items.push_back(item ? std::optional(pg::text_to_string(*item)) : std::nullopt);
  return items;
}

}  // namespace pgdb::triggers
