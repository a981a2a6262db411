#include "pg/jsonb.hpp"

#include <vector>

#include "pg/guard.hpp"

extern "C" {
#include "utils/jsonb.h"
#include "utils/numeric.h"
}

namespace pgdb::pg {

namespace {

Json scalar(const JsonbValue& value) {
  switch (value.type) {
    case jbvNull:
      return Json::null_value();
    case jbvBool:
      return Json::from_bool(value.val.boolean);
    case jbvString:
      return Json::from_string(std::string(value.val.string.val, value.val.string.len));
    case jbvNumeric: {
      Numeric number = value.val.numeric;
      char* text = call([number] {
        return DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(number)));
      });
      return Json::from_number(text);
    }
    default:
      return Json::null_value();
  }
}

}  // namespace

Json jsonb_to_json(Datum datum) {
  Jsonb* jsonb = call([datum] { return DatumGetJsonbP(datum); });
  JsonbIterator* it = call([jsonb] { return JsonbIteratorInit(&jsonb->root); });
  JsonbValue value;
  std::vector<Json> stack;  // open containers
  std::vector<std::string> keys;
  Json root;
  bool raw_scalar = false;
  auto place = [&](Json item) {
    if (stack.empty()) {
      root = std::move(item);
    } else if (stack.back().type == Json::Type::object) {
      stack.back().members.emplace_back(std::move(keys.back()), std::move(item));
      keys.pop_back();
    } else {
      stack.back().items.push_back(std::move(item));
    }
  };
  for (;;) {
    JsonbIteratorToken token =
        call([&it, &value] { return JsonbIteratorNext(&it, &value, false); });
    if (token == WJB_DONE) break;
    switch (token) {
      case WJB_BEGIN_ARRAY:
        if (value.val.array.rawScalar) {
          raw_scalar = true;
        } else {
          stack.push_back(Json::array());
        }
        break;
      case WJB_BEGIN_OBJECT:
        stack.push_back(Json::object());
        break;
      case WJB_KEY:
        keys.emplace_back(value.val.string.val, value.val.string.len);
        break;
      case WJB_VALUE:
      case WJB_ELEM:
        place(scalar(value));
        break;
      case WJB_END_ARRAY:
        if (raw_scalar) {
          raw_scalar = false;
          break;
        }
        [[fallthrough]];
      case WJB_END_OBJECT: {
        Json done = std::move(stack.back());
        stack.pop_back();
        place(std::move(done));
        break;
      }
      default:
        break;
    }
  }
  return root;
}

}  // namespace pgdb::pg
