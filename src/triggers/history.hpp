// History and audit (history_pg.cpp): the history table track_history() writes to, the session's
// transaction-scoped context, and the trigger that records events.
#pragma once

#include <string>

#include "pg/spi.hpp"

namespace pgdb::triggers {

// Creates schema.history_table for table relid when missing (API.md's columns, a hash index on
// row_key, owned by the table's owner) and grants SELECT on it to the roles that may read the
// table. 42P07 when a relation of that name exists and is not a history table.
void ensure_history_table(pg::Spi& spi, Oid relid, const std::string& schema,
                          const std::string& history_table);

// Registers the context journal for transaction events; from _PG_init.
void init_history();

}  // namespace pgdb::triggers
