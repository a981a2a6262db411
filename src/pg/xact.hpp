// Feeds PostgreSQL's transaction and subtransaction events to the extension's per-transaction
// state (core/xact_journal.hpp).
#pragma once

#include "core/xact_journal.hpp"

namespace pgdb::pg {

// Registers PostgreSQL's xact callbacks; called once from _PG_init.
void install_xact_callbacks();

// listener receives every event from now on; it must outlive the backend (a static object).
void register_xact_listener(XactListener& listener);

// The subtransaction that is current now, to tag journal entries with.
SubxactId current_subxact() noexcept;

}  // namespace pgdb::pg
