// Work done before every utility statement (DDL, COPY, CALL, ...) the backend runs, at any
// nesting level, through PostgreSQL's ProcessUtility hook (chained to any hook loaded before).
#pragma once

namespace pgdb::pg {

// A hook runs as PostgreSQL code, in a plain C-style frame: it must let no C++ exception out and
// keep no C++ object with a destructor alive across a PostgreSQL call that may ERROR.
using UtilityHook = void (*)();

// Registers hook, from _PG_init (a fixed table; the first call installs the ProcessUtility hook).
void register_before_utility(UtilityHook hook);

}  // namespace pgdb::pg
