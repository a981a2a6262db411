// Feeds PostgreSQL's transaction and subtransaction events to the extension's per-transaction
// state (core/xact_journal.hpp).
#pragma once

#include "core/xact_journal.hpp"

namespace pgdb::pg {

// Registers PostgreSQL's xact callbacks; called once from _PG_init.
void install_xact_callbacks();

// listener receives every event from now on; it must outlive the backend (a static object).
void register_xact_listener(XactListener& listener);

// Work done just before the top transaction commits (XACT_EVENT_PRE_COMMIT) or is prepared
// (XACT_EVENT_PRE_PREPARE). A hook runs as PostgreSQL code: it may raise an ERROR, which aborts
// the commit (as postgres_fdw commits its remote transactions), and lets no C++ exception out.
using XactHook = void (*)();
void register_pre_commit_hook(XactHook hook);
void register_pre_prepare_hook(XactHook hook);

// The subtransaction that is current now, to tag journal entries with.
SubxactId current_subxact() noexcept;

}  // namespace pgdb::pg
