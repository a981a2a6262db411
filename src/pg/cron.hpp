// Scheduling pg_cron jobs from a database that is not pg_cron's (cron.database_name): a function
// cannot reach another database, so the request waits in a per-transaction journal and, just
// before the transaction commits, a background worker connects to pg_cron's database as the role
// that asked and runs one fixed pg_cron statement there (docs/partitions.md, "Scheduling").
#pragma once

namespace pgdb::pg {

// Registers the journal and the commit and prepare hooks; called once from _PG_init.
void init_cron();

}  // namespace pgdb::pg
