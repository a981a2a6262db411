#include "pg/syscache.hpp"

#include "pg/guard.hpp"

namespace pgdb::pg {

CatalogRow::CatalogRow(SysCacheIdentifier cache, Oid key)
    : cache_(cache),
      tuple_(call([cache, key] { return SearchSysCache1(cache, ObjectIdGetDatum(key)); })),
      pending_at_start_(pending_pg_errors()) {}

CatalogRow::~CatalogRow() {
  if (HeapTupleIsValid(tuple_) && pending_pg_errors() == pending_at_start_) ReleaseSysCache(tuple_);
}

std::optional<Datum> CatalogRow::column(AttrNumber attribute) const {
  bool is_null = true;
  SysCacheIdentifier cache = cache_;
  HeapTuple tuple = tuple_;
  Datum value = call([cache, tuple, attribute, &is_null] {
    return SysCacheGetAttr(cache, tuple, attribute, &is_null);
  });
  if (is_null) return std::nullopt;
  return value;
}

bool catalog_row_exists(SysCacheIdentifier cache, Oid key) {
  return call([cache, key] { return SearchSysCacheExists1(cache, ObjectIdGetDatum(key)); });
}

}  // namespace pgdb::pg
