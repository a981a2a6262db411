#include "pg/guard.hpp"

#include <new>

#include "core/error.hpp"
#include "core/text.hpp"

extern "C" {
#include "mb/pg_wchar.h"
}

namespace pgdb::pg {

namespace {
int pending_errors = 0;
}  // namespace

namespace detail {
ErrorData* capture_error(MemoryContext caller_context) noexcept {
  MemoryContextSwitchTo(TopTransactionContext ? TopTransactionContext : TopMemoryContext);
  ErrorData* data = CopyErrorData();
  FlushErrorState();
  MemoryContextSwitchTo(caller_context);
  ++pending_errors;
  return data;
}
}  // namespace detail

int pending_pg_errors() noexcept { return pending_errors; }

void forget_pending_pg_errors(int count_before) noexcept { pending_errors = count_before; }

void fill_report(FailureReport& report, std::string_view sqlstate, std::string_view message,
                 std::string_view detail, std::string_view hint) noexcept {
  copy_truncated(report.sqlstate, sizeof report.sqlstate,
                 is_error_sqlstate(sqlstate) ? sqlstate : sqlstate::internal_error);
  copy_truncated(report.message, sizeof report.message, message);
  copy_truncated(report.detail, sizeof report.detail, detail);
  copy_truncated(report.hint, sizeof report.hint, hint);
  report.schema[0] = report.table[0] = report.column[0] = report.constraint[0] = '\0';
}

namespace {
void fill_objects(FailureReport& report, const ErrorObjects& objects) noexcept {
  copy_truncated(report.schema, sizeof report.schema, objects.schema);
  copy_truncated(report.table, sizeof report.table, objects.table);
  copy_truncated(report.column, sizeof report.column, objects.column);
  copy_truncated(report.constraint, sizeof report.constraint, objects.constraint);
}
}  // namespace

void capture_current_exception(FailureReport& report) noexcept {
  try {
    throw;
  } catch (const PgException& e) {
    report.pg_error = const_cast<ErrorData*>(e.data());
  } catch (const Error& e) {
    fill_report(report, e.sqlstate(), e.what(), e.detail(), e.hint());
    fill_objects(report, e.objects());
  } catch (const std::bad_alloc&) {
    fill_report(report, sqlstate::out_of_memory, "out of memory");
  } catch (const std::exception& e) {
    fill_report(report, sqlstate::internal_error, e.what(),
                "An unexpected C++ exception reached the pgdb_tools boundary.",
                "This is a bug in pgdb_tools: please report it with the statement that failed.");
  } catch (...) {
    fill_report(report, sqlstate::internal_error, "unknown C++ exception",
                "An exception that is not a std::exception reached the pgdb_tools boundary.",
                "This is a bug in pgdb_tools: please report it with the statement that failed.");
  }
}

void raise_report(FailureReport& report) {
  if (report.pg_error) ReThrowError(report.pg_error);
  // The buffers were cut at UTF-8 character boundaries; clip again with the server encoding's own
  // rules so a database in another encoding never gets half a character.
  for (char* text : {report.message, report.detail, report.hint, report.schema, report.table,
                     report.column, report.constraint})
    text[pg_mbcliplen(text, static_cast<int>(std::strlen(text)),
                      static_cast<int>(std::strlen(text)))] = '\0';
  const char* s = report.sqlstate;
  ereport(
      ERROR,
      (errcode(MAKE_SQLSTATE(s[0], s[1], s[2], s[3], s[4])), errmsg_internal("%s", report.message),
       report.detail[0] ? errdetail_internal("%s", report.detail) : 0,
       report.hint[0] ? errhint("%s", report.hint) : 0,
       report.schema[0] ? err_generic_string(PG_DIAG_SCHEMA_NAME, report.schema) : 0,
       report.table[0] ? err_generic_string(PG_DIAG_TABLE_NAME, report.table) : 0,
       report.column[0] ? err_generic_string(PG_DIAG_COLUMN_NAME, report.column) : 0,
       report.constraint[0] ? err_generic_string(PG_DIAG_CONSTRAINT_NAME, report.constraint) : 0));
  pg_unreachable();
}

}  // namespace pgdb::pg
