// ignore(): managed triggers that do nothing until the end of the current transaction, in this
// session only (bypass_pg.cpp).
#pragma once

#include "pg/postgres.hpp"

extern "C" {
#include "commands/trigger.h"
}

namespace pgdb::triggers {

// Registers the bypass journal for transaction events; from _PG_init.
void init_bypass();

// True when the firing trigger was named in ignore() earlier in this transaction (and not undone
// by a savepoint rollback). Costs one branch while nothing is ignored.
bool bypassed(const TriggerData* data) noexcept;

// The same for a trigger that acts for the managed trigger called name on its table (a history
// trigger's TRUNCATE companion).
bool bypassed(const TriggerData* data, const char* name) noexcept;

}  // namespace pgdb::triggers
