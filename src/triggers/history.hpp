// History and audit (history_pg.cpp): the history table track_history() writes to, the session's
// transaction-scoped context, and the trigger that records events.
#pragma once

#include <string>

#include "pg/spi.hpp"

extern "C" {
#include "commands/trigger.h"
}

namespace pgdb::triggers {

// Creates schema.history_table for table relid when missing (API.md's columns, a hash index on
// row_key, owned by the table's owner) and grants SELECT on it to the roles that may read the
// table. 42P07 when a relation of that name exists and is not a history table.
void ensure_history_table(pg::Spi& spi, Oid relid, const std::string& schema,
                          const std::string& history_table);

// One event of the history trigger: its operation and jsonb values, 0 for SQL NULL.
struct HistoryEvent {
  const char* operation;
  Datum row_key = 0;
  Datum old_data = 0;
  Datum new_data = 0;
};

// Writes the event (with context, 0 for none) to the history table the trigger's arguments name
// (history_write_pg.cpp).
void write_history_event(const TriggerData* data, const HistoryEvent& event, Datum context);

// Registers the context journal for transaction events; from _PG_init.
void init_history();

}  // namespace pgdb::triggers
