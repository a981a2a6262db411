// Test-only SQL functions (pgdb_tools._selftest_*) that prove the boundary in pg_regress
// (sql/boundary*.sql). Executable by superusers only; see docs/boundary.md.
#pragma once

namespace pgdb::selftest {

// Registers the selftest journal as a transaction listener; called from _PG_init.
void init();

}  // namespace pgdb::selftest
