// The native trigger functions of the managed trigger kinds (executors_pg.cpp,
// executor_support_pg.cpp).
#pragma once

#include <string_view>

namespace pgdb::triggers {

// SQLSTATEs of the checks that refuse a change: class 23 (integrity constraint violation), which
// drivers and ORMs map to their integrity error (Django's IntegrityError, JDBC's
// SQLIntegrityConstraintViolationException) rather than to their most generic class.
// protect forbids the operation itself: integrity_constraint_violation.
inline constexpr std::string_view protect_sqlstate = "23000";
// read_only and fsm refuse the new row as a CHECK constraint over OLD and NEW would:
// check_violation.
inline constexpr std::string_view row_check_sqlstate = "23514";

// Registers the relcache callback that keeps the executors' metadata cache fresh; from _PG_init.
void init_executors();

}  // namespace pgdb::triggers
