// SPI with every value bound as a parameter ($1, $2, ...): SQL text carries only quoted identifiers
// (pg/quote.hpp), never values.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pg/guard.hpp"

namespace pgdb::pg {

// One bound value: its type, the datum and whether it is NULL.
struct Param {
  Oid type;
  Datum value;
  bool is_null;

  static Param text(std::string_view value);  // palloc'd in the current memory context
  static Param int8(std::int64_t value);
  static Param int4(std::int32_t value);
  static Param boolean(bool value);
  static Param oid(Oid value);
  static Param null(Oid type);
};

// An SPI connection for the lifetime of the object. Results of the latest execute() stay readable
// until the next execute() or the end of the connection.
class Spi {
 public:
  Spi();
  ~Spi();
  Spi(const Spi&) = delete;
  Spi& operator=(const Spi&) = delete;

  // Runs one statement; returns the number of rows processed. max_rows = 0 means all. A read-only
  // statement runs on the current snapshot without advancing the command counter, so it does not
  // see what this function changed earlier: use it only for reads that need not.
  std::uint64_t execute(std::string_view sql, std::span<const Param> params = {},
                        bool read_only = false, long max_rows = 0);
  std::uint64_t execute(std::string_view sql, std::initializer_list<Param> params,
                        bool read_only = false, long max_rows = 0) {
    return execute(sql, std::span<const Param>(params.begin(), params.size()), read_only, max_rows);
  }

  // As execute(), through a plan prepared once per session and kept (SPI_keepplan), keyed by the
  // SQL text and the parameters' types: for a fixed statement run many times per call (once per
  // partition set, per table), so that each run after the first skips parsing and planning (a
  // generic plan from the first run: the statement's parameters must not call for custom plans).
  // PostgreSQL's plan cache plans it again when what it reads changes, or search_path or the
  // current user differ. Never for SQL text that embeds identifiers: at most 64 statements are
  // kept, and any beyond run as execute() runs them.
  std::uint64_t execute_kept(std::string_view sql, std::span<const Param> params = {},
                             bool read_only = false, long max_rows = 0);
  std::uint64_t execute_kept(std::string_view sql, std::initializer_list<Param> params,
                             bool read_only = false, long max_rows = 0) {
    return execute_kept(sql, std::span<const Param>(params.begin(), params.size()), read_only,
                        max_rows);
  }

  // Rows and columns of the latest result, both counted from 0.
  std::uint64_t row_count() const noexcept;
  int column_count() const noexcept;
  // A pass-by-reference value points into SPI's result: valid until the next execute(), the end
  // of the connection or a subtransaction rollback. Copy it out before any of those.
  Datum value(std::uint64_t row, int column, bool& is_null) const;
  std::optional<std::string> get_text(std::uint64_t row, int column) const;    // output function
  std::optional<std::int64_t> get_int64(std::uint64_t row, int column) const;  // int2, int4, int8
  std::optional<bool> get_bool(std::uint64_t row, int column) const;
  // An OID read from an oid (or reg*) column, or from an int8 one (the portable way queries
  // here spell OIDs: c.oid::pg_catalog.int8).
  std::optional<Oid> get_oid(std::uint64_t row, int column) const;
  // The column's OIDs in every row of the latest result (none may be NULL).
  std::vector<Oid> oid_column(int column) const;

 private:
  void check_cell(std::uint64_t row, int column) const;
  Oid column_type(int column) const;

  bool connected_ = false;
  int pending_at_start_;
};

}  // namespace pgdb::pg
