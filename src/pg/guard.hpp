// The C++ / PostgreSQL error boundary (docs/boundary.md).
//
//  - PGDB_FUNCTION(name) defines an SQL-callable function whose body runs inside guard(): every C++
//    exception is caught, copied into plain buffers, and raised as a PostgreSQL ERROR only after
//    the catch block has been left.
//  - pg::call(f) runs PostgreSQL code that may ereport: an ERROR comes back as a PgException (error
//    state flushed, memory context restored), so C++ destructors run on the way out. The lambda
//    itself must be plain C-style: no objects with destructors alive in it.
//  - A PgException that is not caught inside a subtransaction (see subtransaction.hpp) must reach
//    the guard, which re-raises the original error unchanged: after a PostgreSQL ERROR the
//    transaction is unusable until it or a subtransaction rolls back.
#pragma once

#include "pg/postgres.hpp"

namespace pgdb::pg {

// A PostgreSQL ERROR caught by call(). Owns a copy of the error data, allocated in the memory
// context that was current when call() was entered.
class PgException : public std::exception {
 public:
  explicit PgException(ErrorData* data) noexcept : data_(data) {}
  const char* what() const noexcept override { return data_->message ? data_->message : "error"; }
  const ErrorData* data() const noexcept { return data_; }
  int sqlerrcode() const noexcept { return data_->sqlerrcode; }

 private:
  ErrorData* data_;  // palloc'd; freed with its memory context
};

namespace detail {
// Copies the current error into the top transaction's memory (it must outlive SPI connections and
// subtransactions that are cleaned up while the exception travels), clears the error state,
// switches back to caller_context, and counts the error as pending.
ErrorData* capture_error(MemoryContext caller_context) noexcept;
}  // namespace detail

// PostgreSQL errors caught by call() whose cleanup (a transaction or subtransaction rollback) has
// not happened yet. While one is pending, SPI and other PostgreSQL state may be half torn down, so
// destructors leave the cleanup to PostgreSQL's rollback (see Spi::~Spi).
int pending_pg_errors() noexcept;

// Called by in_subtransaction() after a rollback has cleaned up what the errors raised inside it
// left behind.
void forget_pending_pg_errors(int count_before) noexcept;

template <typename F>
auto call(F&& f) -> std::invoke_result_t<F&> {
  using Result = std::invoke_result_t<F&>;
  static_assert(std::is_void_v<Result> || std::is_scalar_v<Result>,
                "pg::call returns PostgreSQL values (Datum, pointers, scalars)");
  MemoryContext caller_context = CurrentMemoryContext;
  // volatile: both are assigned between sigsetjmp and a possible siglongjmp.
  ErrorData* volatile error = nullptr;
  // Never let a C++ exception leave a PG_TRY block: it would leave PG_exception_stack pointing at
  // a dead frame. Catch it inside and rethrow after PG_END_TRY.
  std::exception_ptr cpp_exception;
  if constexpr (std::is_void_v<Result>) {
    PG_TRY();
    {
      try {
        f();
      } catch (...) {
        cpp_exception = std::current_exception();
      }
    }
    PG_CATCH();
    { error = detail::capture_error(caller_context); }
    PG_END_TRY();
    if (error) throw PgException(error);
    if (cpp_exception) std::rethrow_exception(cpp_exception);
  } else {
    volatile Result result{};
    PG_TRY();
    {
      try {
        result = f();
      } catch (...) {
        cpp_exception = std::current_exception();
      }
    }
    PG_CATCH();
    { error = detail::capture_error(caller_context); }
    PG_END_TRY();
    if (error) throw PgException(error);
    if (cpp_exception) std::rethrow_exception(cpp_exception);
    return result;
  }
}

// CHECK_FOR_INTERRUPTS for C++ frames: a pending cancel or statement_timeout becomes a
// PgException, so long loops stop cleanly and their objects are destroyed.
inline void check_for_interrupts() {
  if (unlikely(INTERRUPTS_PENDING_CONDITION())) call([] { ProcessInterrupts(); });
}

// What the guard knows of a failure, in fixed buffers: filling it never allocates, so it is safe
// inside a catch block.
struct FailureReport {
  ErrorData* pg_error;  // set when the failure was a PostgreSQL ERROR: re-raised unchanged
  char sqlstate[6];
  char message[2048];
  char detail[2048];
  char hint[1024];
  // The objects the error concerns (Error::objects), each at most an identifier: reported as
  // PG_DIAG_SCHEMA_NAME, PG_DIAG_TABLE_NAME, PG_DIAG_COLUMN_NAME and PG_DIAG_CONSTRAINT_NAME.
  char schema[NAMEDATALEN];
  char table[NAMEDATALEN];
  char column[NAMEDATALEN];
  char constraint[NAMEDATALEN];
};

void fill_report(FailureReport& report, std::string_view sqlstate, std::string_view message,
                 std::string_view detail = {}, std::string_view hint = {}) noexcept;

// Raises the report as a PostgreSQL ERROR. Called only outside any catch block.
[[noreturn]] void raise_report(FailureReport& report);

// Records the exception being handled; must be called from within a catch block.
void capture_current_exception(FailureReport& report) noexcept;

template <typename Body>
Datum guard(Body&& body) {
  FailureReport report;
  report.pg_error = nullptr;
  // Errors this call caught are handed back to PostgreSQL when it raises: from then on they are
  // the rollback's business, not that of C++ frames further out. Without this, an error caught by
  // a savepoint or an EXCEPTION block around a nested call (a trigger running during an outer
  // call's SPI statement) would stay counted, and the outer call's Spi would skip SPI_finish.
  const int pending_at_entry = pending_pg_errors();
  try {
    return body();
  } catch (...) {
    capture_current_exception(report);
  }
  forget_pending_pg_errors(pending_at_entry);
  raise_report(report);
}

}  // namespace pgdb::pg

// Defines the SQL-callable C function `name` (declared with PG_FUNCTION_INFO_V1) whose body, the
// block that follows the macro, runs inside the guard. PG_GETARG_* work in the body as usual.
#define PGDB_FUNCTION(name)                                                           \
  static Datum name##_guarded(FunctionCallInfo fcinfo);                               \
  extern "C" {                                                                        \
  PG_FUNCTION_INFO_V1(name);                                                          \
  }                                                                                   \
  extern "C" Datum name(PG_FUNCTION_ARGS) {                                           \
    return ::pgdb::pg::guard([fcinfo]() -> Datum { return name##_guarded(fcinfo); }); \
  }                                                                                   \
  static Datum name##_guarded(FunctionCallInfo fcinfo)
