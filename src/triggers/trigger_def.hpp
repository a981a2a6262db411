// What pgdb_tools installs for a managed trigger, and the DDL that installs it. PG-free.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/quote.hpp"

namespace pgdb::triggers {

enum class Timing { before, after };
enum class Level { row, statement };

// Trigger events as a bit set, in PostgreSQL's order.
enum Event : unsigned { event_insert = 1, event_update = 2, event_delete = 4, event_truncate = 8 };

// Parses operation names (INSERT, UPDATE, DELETE, TRUNCATE; any case) into an event set. Empty,
// unknown or repeated names raise 22023 naming argument_name.
unsigned parse_events(const std::vector<std::string>& operations, std::string_view argument_name);

// "INSERT OR UPDATE", in PostgreSQL's order.
std::string events_sql(unsigned events);

struct TriggerDef {
  std::string name;
  std::string table_schema;
  std::string table_name;
  Timing timing = Timing::before;
  Level level = Level::row;
  unsigned events = 0;
  std::optional<std::string> condition;  // the WHEN clause, verbatim
  std::string function_schema;
  std::string function_name;
  std::vector<std::string> args;
  // history with TRUNCATE and row operations: a row-level trigger cannot fire on TRUNCATE, so a
  // statement-level AFTER TRUNCATE trigger of this name (companion_trigger_name(name)) runs the
  // same function with companion_args. Both are one managed trigger, named by name.
  std::string truncate_companion;
  std::vector<std::string> companion_args;
};

// CREATE OR REPLACE TRIGGER ... with every identifier quoted and every argument a literal; with a
// truncate companion, its CREATE OR REPLACE TRIGGER follows, after ";\n".
std::string create_trigger_sql(const TriggerDef& def, KeywordLookup keywords);

// pgdb_<kind>_<table>, at most 63 bytes (a stable hash replaces the tail of longer names). Names
// order same-event triggers (PostgreSQL fires them by name), and kind names sort checks (fsm,
// protect, read_only, row_version) before the kinds that change the row (search_vector,
// soft_delete, updated_at).
std::string default_trigger_name(std::string_view kind, std::string_view table_name);

// The name of the statement-level TRUNCATE trigger that goes with the managed trigger called name
// (<name>_truncate, at most 63 bytes).
std::string companion_trigger_name(std::string_view name);

}  // namespace pgdb::triggers
