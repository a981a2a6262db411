// Rows of PostgreSQL's system caches by OID (pg_proc, pg_class, pg_ts_config ...), read through the
// reverse guard and released when they go out of scope.
#pragma once

#include <optional>

#include "pg/postgres.hpp"

extern "C" {
#include "access/htup_details.h"
#include "utils/syscache.h"
}

namespace pgdb::pg {

// One cached catalog row (SearchSysCache1), held while the object lives. After a PostgreSQL error
// no rollback has cleaned up yet, the row is left to that rollback, which releases every cache
// reference of the (sub)transaction (as Spi leaves its connection).
class CatalogRow {
 public:
  CatalogRow(SysCacheIdentifier cache, Oid key);
  ~CatalogRow();
  CatalogRow(const CatalogRow&) = delete;
  CatalogRow& operator=(const CatalogRow&) = delete;

  // False when the cache has no row for the key.
  explicit operator bool() const noexcept { return HeapTupleIsValid(tuple_); }
  HeapTuple tuple() const noexcept { return tuple_; }
  // The row's fixed part as its catalog struct: form<FormData_pg_proc>()->prorettype.
  template <typename Form>
  const Form* form() const noexcept {
    return reinterpret_cast<const Form*>(GETSTRUCT(tuple_));
  }
  // A column of the row (Anum_pg_proc_prosrc ...), nullopt when it is NULL.
  std::optional<Datum> column(AttrNumber attribute) const;

 private:
  SysCacheIdentifier cache_;
  HeapTuple tuple_;
  int pending_at_start_;
};

// Whether the cache has a row for the key (SearchSysCacheExists1).
bool catalog_row_exists(SysCacheIdentifier cache, Oid key);

}  // namespace pgdb::pg
