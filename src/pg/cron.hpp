// Scheduling pg_cron jobs from a database that is not pg_cron's (cron.database_name): a function
// cannot reach another database, so a background worker connected there as the role that asked
// (src/pg/cron_worker.hpp) looks the job up, or reserves its id, at the call; the request waits
// in a per-transaction journal and, just before the transaction commits, another worker makes or
// removes the job with fixed pg_cron statements (docs/partitions.md, "Scheduling").
#pragma once

namespace pgdb::pg {

// Registers the journal and the commit and prepare hooks; called once from _PG_init.
void init_cron();

}  // namespace pgdb::pg
