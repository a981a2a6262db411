// _history_old_key(row_key, old_data): the key a row had before an UPDATE that changed it, for the
// history table's second hash index (docs/history.md, "A key that changes"). An UPDATE is recorded
// once, under its new key in row_key; row_history() and row_at() also find it by the old key
// through this expression. Only the keys of row_key are read from old_data, and a key column
// old_data lacks (the diff format leaves unchanged columns out) kept its value, so it is taken
// from row_key.
#include "pg/guard.hpp"

extern "C" {
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
}

namespace pgdb::triggers {

namespace {

// row_key with each of its members replaced by old_data's member of that name, when there is one.
Jsonb* old_key(Jsonb* row_key, Jsonb* old_data) {
  return pg::call([row_key, old_data] {
    JsonbParseState* state = nullptr;
    pushJsonbValue(&state, WJB_BEGIN_OBJECT, nullptr);
    JsonbIterator* it = JsonbIteratorInit(&row_key->root);
    JsonbValue value;
    JsonbIteratorToken token;
    JsonbValue key;
    while ((token = JsonbIteratorNext(&it, &value, true)) != WJB_DONE) {
      if (token == WJB_KEY) {
        key = value;
        pushJsonbValue(&state, WJB_KEY, &key);
      } else if (token == WJB_VALUE) {
        JsonbValue before;
        bool found = getKeyJsonValueFromContainer(&old_data->root, key.val.string.val,
                                                  key.val.string.len, &before) != nullptr;
        pushJsonbValue(&state, WJB_VALUE, found ? &before : &value);
      }
    }
    return JsonbValueToJsonb(pushJsonbValue(&state, WJB_END_OBJECT, nullptr));
  });
}

}  // namespace

}  // namespace pgdb::triggers

using namespace pgdb;

// _history_old_key(row_key jsonb, old_data jsonb) RETURNS jsonb, IMMUTABLE STRICT: the row's key
// before the event when old_data gives it another one than row_key, otherwise NULL (INSERT and
// DELETE, an UPDATE that kept its key, anything but two objects), which a hash index leaves out.
PGDB_FUNCTION(pgdb_tools_history_old_key) {
  Datum key_datum = PG_GETARG_DATUM(0);
  Datum old_datum = PG_GETARG_DATUM(1);
  Jsonb* row_key = pg::call([key_datum] { return DatumGetJsonbP(key_datum); });
  Jsonb* old_data = pg::call([old_datum] { return DatumGetJsonbP(old_datum); });
  if (!JB_ROOT_IS_OBJECT(row_key) || JB_ROOT_IS_SCALAR(row_key) || !JB_ROOT_IS_OBJECT(old_data) ||
      JB_ROOT_IS_SCALAR(old_data))
    PG_RETURN_NULL();
  Jsonb* before = triggers::old_key(row_key, old_data);
  bool same = pg::call([before, row_key] {
    return DatumGetBool(
        DirectFunctionCall2(jsonb_eq, PointerGetDatum(before), PointerGetDatum(row_key)));
  });
  if (same) PG_RETURN_NULL();
  PG_RETURN_JSONB_P(before);
}
