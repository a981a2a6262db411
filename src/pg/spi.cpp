#include "pg/spi.hpp"

#include <string>
#include <vector>

#include "core/error.hpp"
#include "pg/datum.hpp"

extern "C" {
#include "catalog/pg_type.h"
}

namespace pgdb::pg {

Param Param::text(std::string_view value) {
  require_text_size(value);
  Datum datum = call([value] {
    return PointerGetDatum(cstring_to_text_with_len(value.data(), static_cast<int>(value.size())));
  });
  return {TEXTOID, datum, false};
}
Param Param::int8(std::int64_t value) { return {INT8OID, Int64GetDatum(value), false}; }
Param Param::int4(std::int32_t value) { return {INT4OID, Int32GetDatum(value), false}; }
Param Param::boolean(bool value) { return {BOOLOID, BoolGetDatum(value), false}; }
Param Param::oid(Oid value) { return {OIDOID, ObjectIdGetDatum(value), false}; }
Param Param::null(Oid type) { return {type, Datum(0), true}; }

Spi::Spi() : pending_at_start_(pending_pg_errors()) {
  int rc = call([] { return SPI_connect(); });
  if (rc != SPI_OK_CONNECT)
    throw Error(sqlstate::internal_error,
                std::string("SPI_connect failed: ") + SPI_result_code_string(rc));
  connected_ = true;
}

Spi::~Spi() {
  // After a PostgreSQL error that no rollback has cleaned up yet, the SPI stack may still hold
  // connections of functions the error interrupted: the coming (sub)transaction rollback pops them
  // and this one. Otherwise, including while a C++ exception unwinds, finish normally.
  if (connected_ && pending_pg_errors() == pending_at_start_) SPI_finish();
}

std::uint64_t Spi::execute(std::string_view sql, std::span<const Param> params, bool read_only,
                           long max_rows) {
  std::string statement(sql);
  std::vector<Oid> types;
  std::vector<Datum> values;
  std::vector<char> nulls;
  types.reserve(params.size());
  values.reserve(params.size());
  nulls.reserve(params.size());
  for (const Param& p : params) {
    types.push_back(p.type);
    values.push_back(p.value);
    nulls.push_back(p.is_null ? 'n' : ' ');
  }
  const char* text = statement.c_str();
  int nargs = static_cast<int>(params.size());
  int rc = call([&] {
    return SPI_execute_with_args(text, nargs, types.data(), values.data(), nulls.data(), read_only,
                                 max_rows);
  });
  if (rc < 0)
    throw Error(sqlstate::internal_error,
                std::string("SPI_execute_with_args failed: ") + SPI_result_code_string(rc),
                "statement: " + statement);
  return SPI_processed;
}

namespace {

// The kept plans of this session (execute_kept), in CacheMemoryContext through SPI_keepplan.
struct KeptPlan {
  std::string key;  // the SQL text, a NUL, then each parameter's type OID and a comma
  SPIPlanPtr plan;
};
constexpr std::size_t max_kept_plans = 64;
std::vector<KeptPlan> kept_plans;

std::string plan_key(std::string_view sql, std::span<const Param> params) {
  std::string key(sql);
  key.push_back('\0');
  for (const Param& p : params) key += std::to_string(p.type) + ",";
  return key;
}

}  // namespace

std::uint64_t Spi::execute_kept(std::string_view sql, std::span<const Param> params, bool read_only,
                                long max_rows) {
  std::string key = plan_key(sql, params);
  SPIPlanPtr plan = nullptr;
  for (const KeptPlan& kept : kept_plans)
    if (kept.key == key) plan = kept.plan;
  if (plan == nullptr) {
    if (kept_plans.size() >= max_kept_plans) return execute(sql, params, read_only, max_rows);
    kept_plans.reserve(max_kept_plans);  // so that keeping the plan below cannot throw
    std::vector<Oid> types;
    for (const Param& p : params) types.push_back(p.type);
    std::string statement(sql);
    const char* text = statement.c_str();
    int nargs = static_cast<int>(types.size());
    plan = call([&] {
      SPIPlanPtr prepared = SPI_prepare_cursor(text, nargs, types.data(), CURSOR_OPT_GENERIC_PLAN);
      if (prepared == nullptr)
        elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
      if (SPI_keepplan(prepared) != 0) elog(ERROR, "SPI_keepplan failed");
      return prepared;
    });
    kept_plans.push_back({std::move(key), plan});
  }
  std::vector<Datum> values;
  std::vector<char> nulls;
  values.reserve(params.size());
  nulls.reserve(params.size());
  for (const Param& p : params) {
    values.push_back(p.value);
    nulls.push_back(p.is_null ? 'n' : ' ');
  }
  int rc = call(
      [&] { return SPI_execute_plan(plan, values.data(), nulls.data(), read_only, max_rows); });
  if (rc < 0)
    throw Error(sqlstate::internal_error,
                std::string("SPI_execute_plan failed: ") + SPI_result_code_string(rc),
                "statement: " + std::string(sql));
  return SPI_processed;
}

std::uint64_t Spi::row_count() const noexcept { return SPI_tuptable ? SPI_processed : 0; }

int Spi::column_count() const noexcept { return SPI_tuptable ? SPI_tuptable->tupdesc->natts : 0; }

void Spi::check_cell(std::uint64_t row, int column) const {
  if (row >= row_count() || column < 0 || column >= column_count())
    throw Error(sqlstate::internal_error, "SPI result has no row " + std::to_string(row) +
                                              ", column " + std::to_string(column));
}

Oid Spi::column_type(int column) const { return SPI_gettypeid(SPI_tuptable->tupdesc, column + 1); }

Datum Spi::value(std::uint64_t row, int column, bool& is_null) const {
  check_cell(row, column);
  HeapTuple tuple = SPI_tuptable->vals[row];
  TupleDesc desc = SPI_tuptable->tupdesc;
  bool null = false;
  Datum datum = call([&] { return SPI_getbinval(tuple, desc, column + 1, &null); });
  is_null = null;
  return datum;
}

std::optional<std::string> Spi::get_text(std::uint64_t row, int column) const {
  check_cell(row, column);
  HeapTuple tuple = SPI_tuptable->vals[row];
  TupleDesc desc = SPI_tuptable->tupdesc;
  char* out = call([&] { return SPI_getvalue(tuple, desc, column + 1); });
  if (out == nullptr) return std::nullopt;
  std::string result(out);
  pfree(out);
  return result;
}

std::optional<std::int64_t> Spi::get_int64(std::uint64_t row, int column) const {
  bool is_null = false;
  Datum datum = value(row, column, is_null);
  if (is_null) return std::nullopt;
  switch (column_type(column)) {
    case INT2OID:
      return DatumGetInt16(datum);
    case INT4OID:
      return DatumGetInt32(datum);
    case INT8OID:
      return DatumGetInt64(datum);
    default:
      throw Error(sqlstate::internal_error,
                  "SPI result column " + std::to_string(column) + " is not an integer");
  }
}

std::optional<bool> Spi::get_bool(std::uint64_t row, int column) const {
  bool is_null = false;
  Datum datum = value(row, column, is_null);
  if (is_null) return std::nullopt;
  if (column_type(column) != BOOLOID)
    throw Error(sqlstate::internal_error,
                "SPI result column " + std::to_string(column) + " is not a boolean");
  return DatumGetBool(datum);
}

std::optional<Oid> Spi::get_oid(std::uint64_t row, int column) const {
  bool is_null = false;
  Datum datum = value(row, column, is_null);
  if (is_null) return std::nullopt;
  switch (column_type(column)) {
    case INT8OID:
      return static_cast<Oid>(DatumGetInt64(datum));
    case OIDOID:
    case REGCLASSOID:
    case REGTYPEOID:
    case REGPROCEDUREOID:
    case REGNAMESPACEOID:
      return DatumGetObjectId(datum);
    default:
      throw Error(sqlstate::internal_error,
                  "SPI result column " + std::to_string(column) + " is not an OID");
  }
}

std::vector<Oid> Spi::oid_column(int column) const {
  std::vector<Oid> oids;
  for (std::uint64_t r = 0; r < row_count(); ++r) oids.push_back(get_oid(r, column).value());
  return oids;
}

}  // namespace pgdb::pg
