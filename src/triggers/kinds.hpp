// From a parsed spec to the trigger that implements it: the per-kind decisions (events, timing,
// level, executor and its arguments, checks on the columns). PG-free: the boundary supplies the
// table's column types.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "triggers/spec.hpp"
#include "triggers/trigger_def.hpp"

namespace pgdb::triggers {

// The type of a column as format_type() prints it ("timestamp with time zone"), or nullopt when
// the table has no such column.
using ColumnTypeLookup = std::function<std::optional<std::string>(std::string_view column)>;

struct Target {
  std::string schema;
  std::string table;
  std::string qualified;  // quoted, for messages and the recorded spec
};

// Builds the trigger for spec on table. Normalizes spec.args in place (e.g. operations in
// PostgreSQL's order) so the canonical spec does not depend on how it was written. Errors: 22023
// for bad arguments, 42703 for a missing column, 42804 for a column of the wrong type.
TriggerDef build_trigger(Spec& spec, const Target& table, const ColumnTypeLookup& column_type);

// The schema holding the executors (the extension's schema).
inline constexpr std::string_view executor_schema = "pgdb_tools";

}  // namespace pgdb::triggers
