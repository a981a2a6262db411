#include "triggers/arguments.hpp"

#include "core/error.hpp"
#include "pg/datum.hpp"
#include "pg/guard.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "utils/array.h"
}

namespace pgdb::triggers {

std::vector<std::optional<std::string>> text_array_items(Datum array_datum, const char* argument) {
  ArrayType* array = pg::call([array_datum] { return DatumGetArrayTypeP(array_datum); });
  if (ARR_NDIM(array) > 1)
    throw Error(sqlstate::invalid_parameter_value,
                std::string(argument) + " must be a one-dimensional array");
  Datum* elements = nullptr;
  bool* nulls = nullptr;
  int count = 0;
  pg::call([&] {
    deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT, &elements, &nulls, &count);
  });
  std::vector<std::optional<std::string>> items;
  for (int i = 0; i < count; ++i) {
    if (nulls[i]) {
      items.emplace_back();
    } else {
      items.emplace_back(pg::text_to_string(elements[i]));
    }
  }
  return items;
}

}  // namespace pgdb::triggers
