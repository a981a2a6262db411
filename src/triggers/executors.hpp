// The native trigger functions of the managed trigger kinds (executors_pg.cpp,
// executor_support_pg.cpp).
#pragma once

#include <string_view>

namespace pgdb::triggers {

// SQLSTATE of the checks that refuse a change (protect): PostgreSQL's triggered_action_exception.
inline constexpr std::string_view protect_sqlstate = "09000";

// Registers the relcache callback that keeps the executors' metadata cache fresh; from _PG_init.
void init_executors();

}  // namespace pgdb::triggers
