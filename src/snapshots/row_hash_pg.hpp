// A column value's contribution to a content hash (content_hash.hpp): the one rule of every
// reader that hashes rows, the copy engine (row_copy_pg.cpp: snapshot_create, verify, restores),
// archive_create (live rows, copy_text_pg.cpp) and archive_verify (rows parsed back from an
// archive's COPY text). A value of a built-in type is hashed in its binary form (varlena values
// detoasted first), a value of a type created in this database or of an OID-alias type as its
// text output (carries_local_oids). The archive tests compare the hashes of archives with
// snapshot_create's.
#pragma once

#include <cstring>

#include "pg/postgres.hpp"
#include "snapshots/content_hash.hpp"

extern "C" {
#include "fmgr.h"
#include "utils/lsyscache.h"
}

namespace pgdb::snapshots {

// How one column is hashed. Filled by prepare_row_hash_column (inside pg::call).
struct RowHashColumn {
  Oid type = InvalidOid;
  int16 length = 0;
  bool by_value = false;
  bool as_text = false;  // hashed as its text output
  FmgrInfo output;       // the type's output function (always set up)
};

// Whether values of `type` carry OIDs of this cluster (see content_hash.hpp: hash_as_text).
inline bool carries_local_oids(Oid type) {
  Oid base = getBaseType(type);
  Oid element = get_element_type(base);
  return hash_as_text(base, OidIsValid(element) ? getBaseType(element) : 0);
}

// Runs inside pg::call.
inline void prepare_row_hash_column(RowHashColumn& column, Oid type) {
  column.type = type;
  get_typlenbyval(type, &column.length, &column.by_value);
  column.as_text = carries_local_oids(type);
  Oid function;
  bool varlena;
  getTypeOutputInfo(type, &function, &varlena);
  fmgr_info(function, &column.output);
}

// Adds one value to the row being hashed. `text` is the value's output when the caller has it
// already (nullptr otherwise); copies made here are freed at once. Runs inside pg::call.
inline void hash_column_value(ContentHash& hash, RowHashColumn& column, Datum value, bool is_null,
                              const char* text = nullptr) {
  if (is_null) {
    hash.add_null();
  } else if (column.as_text) {
    char* own = text == nullptr ? OutputFunctionCall(&column.output, value) : nullptr;
    const char* shown = own != nullptr ? own : text;
    hash.add_value(shown, std::strlen(shown));
    if (own != nullptr) pfree(own);
  } else if (column.by_value) {
    char buffer[sizeof(Datum)];
    store_att_byval(buffer, value, column.length);
    hash.add_value(buffer, static_cast<std::size_t>(column.length));
  } else if (column.length == -1) {
    struct varlena* stored = reinterpret_cast<struct varlena*>(DatumGetPointer(value));
    struct varlena* v = VARATT_IS_EXTENDED(stored) ? pg_detoast_datum_packed(stored) : stored;
    hash.add_value(VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v));
    if (v != stored) pfree(v);
  } else if (column.length == -2) {
    const char* s = DatumGetCString(value);
    hash.add_value(s, std::strlen(s));
  } else {
    hash.add_value(DatumGetPointer(value), static_cast<std::size_t>(column.length));
  }
}

}  // namespace pgdb::snapshots
