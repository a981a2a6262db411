// The one exception type of pgdb_tools: a message plus the SQLSTATE, DETAIL and HINT that the
// boundary guard turns into a PostgreSQL ERROR. PG-free.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace pgdb {

// SQLSTATE codes the extension raises, named as in PostgreSQL's errcodes.txt.
namespace sqlstate {
inline constexpr std::string_view invalid_parameter_value = "22023";
inline constexpr std::string_view undefined_table = "42P01";
inline constexpr std::string_view undefined_column = "42703";
inline constexpr std::string_view undefined_object = "42704";
inline constexpr std::string_view wrong_object_type = "42809";
inline constexpr std::string_view duplicate_object = "42710";
inline constexpr std::string_view insufficient_privilege = "42501";
inline constexpr std::string_view object_not_in_prerequisite_state = "55000";
inline constexpr std::string_view serialization_failure = "40001";
inline constexpr std::string_view feature_not_supported = "0A000";
inline constexpr std::string_view out_of_memory = "53200";
inline constexpr std::string_view internal_error = "XX000";
inline constexpr std::string_view data_corrupted = "XX001";
inline constexpr std::string_view check_violation = "23514";
inline constexpr std::string_view foreign_key_violation = "23503";
}  // namespace sqlstate

// True when code is five characters from [0-9A-Z], the form PostgreSQL accepts.
bool is_valid_sqlstate(std::string_view code) noexcept;

// A valid SQLSTATE outside classes 00 (success), 01 (warning) and 02 (no data): one an ERROR
// may carry.
bool is_error_sqlstate(std::string_view code) noexcept;

// True when an error with this SQLSTATE must end the whole call, never be turned into an error
// row, a status or another error by code that isolates a step in a subtransaction: class 57
// (operator intervention: 57014 is both a cancel and statement_timeout; 57P01-57P05 shutdowns),
// class 53 (insufficient resources: 53200 out of memory, also of lock table memory, 53100 disk
// full) and P0004 (assert_failure, which PL/pgSQL's WHEN OTHERS does not catch either). 55P03
// (lock_timeout, a busy set) and every other error stay ordinary.
bool stops_the_call(std::string_view code) noexcept;

// The objects an error concerns, which PostgreSQL reports beside the message (the schema_name,
// table_name, column_name and constraint_name fields of ErrorData) and drivers expose (psycopg's
// Diagnostics, JDBC's ServerErrorMessage). Empty: not reported.
struct ErrorObjects {
  std::string schema;
  std::string table;
  std::string column;
  std::string constraint;
};

class Error : public std::runtime_error {
 public:
  // An invalid or non-error sqlstate becomes internal_error rather than a second failure while
  // reporting.
  Error(std::string_view sqlstate, const std::string& message, std::string detail = {},
        std::string hint = {});

  const char* sqlstate() const noexcept { return sqlstate_; }
  const std::string& detail() const noexcept { return detail_; }
  const std::string& hint() const noexcept { return hint_; }
  const ErrorObjects& objects() const noexcept { return objects_; }

  // Names the objects the error concerns: throw Error(...).about({schema, table, ...}).
  Error& about(ErrorObjects objects) {
    objects_ = std::move(objects);
    return *this;
  }

 private:
  char sqlstate_[6];
  std::string detail_;
  std::string hint_;
  ErrorObjects objects_;
};

}  // namespace pgdb
