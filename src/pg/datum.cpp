#include "pg/datum.hpp"

#include "core/error.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/lsyscache.h"
}

namespace pgdb::pg {

void require_text_size(std::string_view value) {
  if (value.size() > MaxAllocSize - VARHDRSZ)
    throw Error("54000", "text value of " + std::to_string(value.size()) +
                             " bytes exceeds PostgreSQL's limit of 1 GB");
}

std::string text_to_string(Datum value) {
  text* detoasted = call([value] {
    return pg_detoast_datum_packed(reinterpret_cast<varlena*>(DatumGetPointer(value)));
  });
  return std::string(VARDATA_ANY(detoasted), VARSIZE_ANY_EXHDR(detoasted));
}

void notice(const std::string& message) {
  const char* text = message.c_str();
  call([text] { ereport(NOTICE, (errmsg_internal("%s", text))); });
}

Datum string_to_text(std::string_view value) {
  require_text_size(value);
  return call([value] {
    return PointerGetDatum(cstring_to_text_with_len(value.data(), static_cast<int>(value.size())));
  });
}

Datum oids_to_array(const std::vector<Oid>& values) {
  Datum* elements =
      call([&values] { return static_cast<Datum*>(palloc(sizeof(Datum) * (values.size() + 1))); });
  for (std::size_t i = 0; i < values.size(); ++i) elements[i] = ObjectIdGetDatum(values[i]);
  return call([&values, elements] {
    return PointerGetDatum(construct_array(elements, static_cast<int>(values.size()), OIDOID,
                                           sizeof(Oid), true, TYPALIGN_INT));
  });
}

Datum strings_to_text_array(const std::vector<std::string>& values) {
  Datum* elements =
      call([&values] { return static_cast<Datum*>(palloc(sizeof(Datum) * (values.size() + 1))); });
  for (std::size_t i = 0; i < values.size(); ++i) elements[i] = string_to_text(values[i]);
  return call([&values, elements] {
    return PointerGetDatum(construct_array(elements, static_cast<int>(values.size()), TEXTOID, -1,
                                           false, TYPALIGN_INT));
  });
}

std::vector<std::optional<Datum>> array_items(Datum array_datum, Oid element_type,
                                              const char* argument) {
  ArrayType* array = call([array_datum] { return DatumGetArrayTypeP(array_datum); });
  if (ARR_NDIM(array) > 1)
    throw Error(sqlstate::invalid_parameter_value,
                std::string(argument) + " must be a one-dimensional array");
  Datum* elements = nullptr;
  bool* nulls = nullptr;
  int count = 0;
  int16 length = 0;
  bool by_value = false;
  char align = 0;
  call([&] {
    get_typlenbyvalalign(element_type, &length, &by_value, &align);
    deconstruct_array(array, element_type, length, by_value, align, &elements, &nulls, &count);
  });
  std::vector<std::optional<Datum>> items;
  for (int i = 0; i < count; ++i)
    items.push_back(nulls[i] ? std::nullopt : std::optional<Datum>(elements[i]));
  return items;
}

std::vector<Datum> array_values(Datum array, Oid element_type, const char* argument) {
  std::vector<Datum> values;
  for (const std::optional<Datum>& item : array_items(array, element_type, argument)) {
    if (!item)
      throw Error(sqlstate::invalid_parameter_value,
                  std::string(argument) + " must not contain NULL");
    values.push_back(*item);
  }
  return values;
}

std::vector<Oid> regclass_array_values(Datum array, const char* argument) {
  std::vector<Oid> tables;
  for (Datum item : array_values(array, REGCLASSOID, argument)) {
    // regclass 0 ('-') names no table: not a missing table "with OID 0".
    if (!OidIsValid(DatumGetObjectId(item)))
      throw Error(sqlstate::invalid_parameter_value,
                  std::string(argument) + " must not contain 0 ('-')", {},
                  "List tables by name, e.g. ARRAY['app.orders']::regclass[].");
    tables.push_back(DatumGetObjectId(item));
  }
  return tables;
}

std::vector<std::optional<std::string>> text_array_items(Datum array, const char* argument) {
  std::vector<std::optional<std::string>> items;
  for (const std::optional<Datum>& item : array_items(array, TEXTOID, argument))
    items.push_back(item ? std::optional(text_to_string(*item)) : std::nullopt);
  return items;
}

std::vector<std::string> text_array_values(Datum array, const char* argument) {
  std::vector<std::string> values;
  for (Datum item : array_values(array, TEXTOID, argument)) values.push_back(text_to_string(item));
  return values;
}

std::string output_text(Datum value, Oid type) {
  Oid output = InvalidOid;
  bool is_varlena = false;
  call([&] { getTypeOutputInfo(type, &output, &is_varlena); });
  return call([output, value] { return OidOutputFunctionCall(output, value); });
}

}  // namespace pgdb::pg
