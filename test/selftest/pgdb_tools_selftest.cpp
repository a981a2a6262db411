// The test-only functions pgdb_tools._selftest_* (extension pgdb_tools_selftest, built by
// test/selftest/Makefile with the product's boundary sources) that prove the boundary in
// pg_regress (sql/boundary*.sql) and test/e2e/cancel.sh. Executable by superusers only; see
// docs/boundary.md.
#include <chrono>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/xact_journal.hpp"
#include "pg/datum.hpp"
#include "pg/guard.hpp"
#include "pg/quote.hpp"
#include "pg/spi.hpp"
#include "pg/subtransaction.hpp"
#include "pg/xact.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "utils/array.h"
}

namespace pgdb::selftest {

namespace {

// Objects whose destructors must run when an error unwinds through them; each holds 1 MiB so a
// skipped destructor would also be a visible leak.
std::int64_t live_tracked_objects = 0;

struct Tracked {
  std::string payload = std::string(1 << 20, 'x');
  Tracked() { ++live_tracked_objects; }
  ~Tracked() { --live_tracked_objects; }
  Tracked(const Tracked&) = delete;
  Tracked& operator=(const Tracked&) = delete;
};

XactJournal<std::string> notes;

std::string optional_text_arg(FunctionCallInfo fcinfo, int n) {
  return PG_ARGISNULL(n) ? std::string() : pg::text_to_string(PG_GETARG_DATUM(n));
}

struct NotAStdException {};

}  // namespace

}  // namespace pgdb::selftest

// The module is built with hidden symbols (test/selftest/Makefile); what PostgreSQL looks up in it
// (the magic block, _PG_init, the functions below) is visible. PostgreSQL 15 declares the functions
// of PG_FUNCTION_INFO_V1 without PGDLLEXPORT, hence the pragma rather than the attribute.
#pragma GCC visibility push(default)

extern "C" {
PG_MODULE_MAGIC;

PGDLLEXPORT void _PG_init(void);
}

// This module's own copy of the boundary feeds its journal, as pgdb_tools' _PG_init does its own.
void _PG_init(void) {
  pgdb::pg::install_xact_callbacks();
  pgdb::pg::register_xact_listener(pgdb::selftest::notes);
}

using namespace pgdb;

// _selftest_throw(kind, sqlstate, message, detail, hint): throws a C++ exception of the given kind.
PGDB_FUNCTION(pgdb_tools_selftest_throw) {
  std::string kind = selftest::optional_text_arg(fcinfo, 0);
  std::string message = selftest::optional_text_arg(fcinfo, 2);
  if (kind == "pgdb")
    throw Error(selftest::optional_text_arg(fcinfo, 1), message,
                selftest::optional_text_arg(fcinfo, 3), selftest::optional_text_arg(fcinfo, 4));
  if (kind == "std") throw std::runtime_error(message);
  if (kind == "bad_alloc") throw std::bad_alloc();
  if (kind == "unknown") throw selftest::NotAStdException{};
  throw Error(sqlstate::invalid_parameter_value, "unknown exception kind \"" + kind + "\"", {},
              "Use one of pgdb, std, bad_alloc, unknown.");
}

// _selftest_run_with_objects(sql): runs sql through SPI while three tracked objects are alive.
PGDB_FUNCTION(pgdb_tools_selftest_run_with_objects) {
  std::string sql = pg::text_to_string(PG_GETARG_DATUM(0));
  selftest::Tracked a, b;
  std::vector<selftest::Tracked> more(1);
  pg::Spi spi;
  return Int64GetDatum(static_cast<std::int64_t>(spi.execute(sql)));
}

// _selftest_live_objects(): tracked objects not yet destroyed in this backend.
PGDB_FUNCTION(pgdb_tools_selftest_live_objects) {
  return Int64GetDatum(selftest::live_tracked_objects);
}

// _selftest_catch_pg_error(sql): runs sql in a subtransaction, catches its PostgreSQL error as a
// C++ exception, then keeps using SPI in the same call to show the session is healthy.
PGDB_FUNCTION(pgdb_tools_selftest_catch_pg_error) {
  std::string sql = pg::text_to_string(PG_GETARG_DATUM(0));
  selftest::Tracked tracked;
  std::string outcome;
  {
    pg::Spi spi;
    std::optional<pg::StepFailure> failure = pg::try_in_subtransaction([&] { spi.execute(sql); });
    outcome = failure ? "caught " + failure->summary() : "no error";
    spi.execute("SELECT $1::int + 1", {pg::Param::int4(41)});
    outcome += "; then SELECT 41 + 1 = " + std::to_string(spi.get_int64(0, 0).value());
  }  // SPI_finish frees what was palloc'd while connected: build the result after it
  return pg::string_to_text(outcome);
}

// _selftest_spin(seconds): a busy C++ loop that allocates and checks for interrupts.
PGDB_FUNCTION(pgdb_tools_selftest_spin) {
  double seconds = PG_GETARG_FLOAT8(0);
  selftest::Tracked tracked;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  std::int64_t iterations = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    std::vector<std::string> churn(8, std::string(64, 'y'));
    ++iterations;
    pg::check_for_interrupts();
  }
  return Int64GetDatum(iterations);
}

// _selftest_xact_note(note): adds note to a journal that lives until the end of the transaction.
PGDB_FUNCTION(pgdb_tools_selftest_xact_note) {
  selftest::notes.add(pg::current_subxact(), pg::text_to_string(PG_GETARG_DATUM(0)));
  PG_RETURN_VOID();
}

// _selftest_xact_notes(): the notes added in this transaction that are still in effect.
PGDB_FUNCTION(pgdb_tools_selftest_xact_notes) {
  std::vector<std::string> values;
  for (const auto& entry : selftest::notes.entries()) values.push_back(entry.value);
  return pg::strings_to_text_array(values);
}

PGDB_FUNCTION(pgdb_tools_selftest_quote_ident) {
  return pg::string_to_text(pg::quote_identifier(pg::text_to_string(PG_GETARG_DATUM(0))));
}

PGDB_FUNCTION(pgdb_tools_selftest_quote_literal) {
  return pg::string_to_text(pg::quote_literal(pg::text_to_string(PG_GETARG_DATUM(0))));
}

// _selftest_spi_roundtrip(t, n, b): binds the three values as $1..$3 and reads them back.
PGDB_FUNCTION(pgdb_tools_selftest_spi_roundtrip) {
  pg::Param t = PG_ARGISNULL(0) ? pg::Param::null(TEXTOID)
                                : pg::Param::text(pg::text_to_string(PG_GETARG_DATUM(0)));
  pg::Param n = PG_ARGISNULL(1) ? pg::Param::null(INT8OID) : pg::Param::int8(PG_GETARG_INT64(1));
  pg::Param b = PG_ARGISNULL(2) ? pg::Param::null(BOOLOID) : pg::Param::boolean(PG_GETARG_BOOL(2));
  std::string result;
  {
    pg::Spi spi;
    spi.execute("SELECT $1, $2, $3", {t, n, b}, true);
    std::optional<std::string> str = spi.get_text(0, 0);
    std::optional<std::int64_t> number = spi.get_int64(0, 1);
    std::optional<bool> flag = spi.get_bool(0, 2);
    result = (str ? "[" + *str + "]" : std::string("NULL")) + " " +
             (number ? std::to_string(*number) : std::string("NULL")) + " " +
             (flag ? (*flag ? "true" : "false") : "NULL");
  }  // SPI_finish frees what was palloc'd while connected: build the result after it
  return pg::string_to_text(result);
}

// _selftest_noop_trigger(): a row trigger that returns the row unchanged, through the guard; the
// benchmarks' measure of what a native trigger kind pays before doing any work.
PGDB_FUNCTION(pgdb_tools_selftest_noop_trigger) {
  if (!CALLED_AS_TRIGGER(fcinfo))
    throw Error(sqlstate::object_not_in_prerequisite_state,
                "_selftest_noop_trigger() must be called as a trigger");
  auto* data = reinterpret_cast<TriggerData*>(fcinfo->context);
  bool row_level = TRIGGER_FIRED_FOR_ROW(data->tg_event);
  if (!row_level) return PointerGetDatum(nullptr);
  return PointerGetDatum(TRIGGER_FIRED_BY_UPDATE(data->tg_event) ? data->tg_newtuple
                                                                 : data->tg_trigtuple);
}

// _selftest_isolated_errors(sqls): runs each statement in its own subtransaction with its own SPI
// connection, as per-item isolation does, catching PostgreSQL errors; after each, a new SPI
// connection reuses the memory the rollback freed. Returns one outcome per statement.
PGDB_FUNCTION(pgdb_tools_selftest_isolated_errors) {
  ArrayType* array = PG_GETARG_ARRAYTYPE_P(0);
  Datum* elements = nullptr;
  bool* nulls = nullptr;
  int count = 0;
  pg::call([&] {
    deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT, &elements, &nulls, &count);
  });
  std::string outcomes;
  for (int i = 0; i < count; ++i) {
    std::string sql = pg::text_to_string(elements[i]);
    std::optional<pg::PgException> caught;
    try {
      pg::in_subtransaction([&] {
        pg::Spi spi;
        spi.execute(sql);
      });
    } catch (const pg::PgException& e) {
      if (pg::stops_the_call(e)) throw;  // as try_in_subtransaction, which copies the error at once
      caught = e;
    }
    // A new connection first, reusing the memory the rollback freed; only then read the error.
    pg::Spi after;
    after.execute("SELECT $1::text", {pg::Param::text(sql)}, true);
    std::string outcome =
        caught ? std::string(unpack_sql_state(caught->sqlerrcode())) + " " + caught->what() : "ok";
    outcomes += (outcomes.empty() ? "" : "; ") + outcome;
  }
  return pg::string_to_text(outcomes);
}

// _selftest_cpp_error_with_spi(): a C++ exception thrown and caught while an SPI connection is
// open must still close it and restore the memory context.
PGDB_FUNCTION(pgdb_tools_selftest_cpp_error_with_spi) {
  MemoryContext before = CurrentMemoryContext;
  try {
    pg::Spi spi;
    spi.execute("SELECT 1", {}, true);
    throw Error(sqlstate::internal_error, "thrown with SPI open");
  } catch (const Error&) {
  }
  return pg::string_to_text(CurrentMemoryContext == before ? "context restored" : "context leaked");
}

#pragma GCC visibility pop
