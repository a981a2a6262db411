// partition_existing: turning a plain table into a managed set. The old table becomes the set's
// first partition, covering its rows' range, attached after a validated CHECK constraint so that
// ATTACH does not scan it. What is read of the table (ExistingTable), what refuses it before any
// change, and the statements of the conversion. PG-free; the executor is existing_pg.cpp.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "partitions/facts.hpp"
#include "partitions/render.hpp"

namespace pgdb::partitions {

struct ExistingIndex {
  std::string name;
  // 'p', 'u' or 'x' for the index of a PRIMARY KEY, UNIQUE or EXCLUDE constraint of the same name
  // (its definition from pg_get_constraintdef), 0 for a plain index (pg_get_indexdef).
  char constraint_type = 0;
  std::string definition;
  bool unique = false;            // a unique index, or a constraint's
  bool keyed_on_control = false;  // the control column is one of its key columns
};

struct ExistingConstraint {
  std::string name;
  std::string definition;  // pg_get_constraintdef
};

struct ExistingPolicy {
  std::string name;
  bool permissive = true;
  std::string command;                            // ALL, SELECT, INSERT, UPDATE, DELETE
  std::vector<std::optional<std::string>> roles;  // nullopt: PUBLIC
  std::optional<std::string> using_expr;
  std::optional<std::string> check_expr;
};

struct OwnedSequence {
  std::string schema;
  std::string name;
  std::string column;
};

struct ExistingTable {
  std::string schema;
  std::string name;
  char relkind = 'r';
  char persistence = 'p';
  bool is_partition = false;
  bool inheritance = false;  // inherits from, or is inherited by, another table
  bool typed = false;        // CREATE TABLE ... OF type
  bool extension_member = false;
  std::string control;
  bool control_exists = false;
  std::optional<ControlType> type;
  std::vector<std::string> identity_columns;
  bool has_nulls = false;
  std::optional<Key> min;  // control values as keys; nullopt for an empty table
  std::optional<Key> max;
  std::vector<ExistingIndex> indexes;
  std::vector<ExistingConstraint> foreign_keys;  // the table's own
  std::vector<std::string> referenced_by;        // "table (constraint)", quoted
  std::vector<std::string> views;                // views and materialized views on it
  std::vector<std::string> publications;
  std::vector<std::string> triggers;
  std::vector<std::string> rules;
  std::vector<OwnedSequence> sequences;  // serial and other sequences OWNED BY its columns
  bool row_security = false;
  bool force_row_security = false;
  std::vector<ExistingPolicy> policies;
  std::optional<std::string> comment;
  std::vector<Grant> grants;
};

// The first reason the table cannot be converted, with a HINT showing what to do; nullopt when it
// can. Checked before any change.
std::optional<Error> existing_refusal(const ExistingTable& table, const Quoting& quoting);

struct ExistingPlan {
  Key lower = 0;  // the old table's partition: [lower, upper)
  Key upper = 0;
  std::string partition;   // the old table's new name
  std::string check_name;  // the CHECK constraint that lets ATTACH skip its scan
  // ADD CONSTRAINT ... NOT VALID, then VALIDATE CONSTRAINT (a scan that lets writers write).
  std::vector<std::string> prepare;
  // Renames, the new parent and what it takes over, ATTACH, the check dropped.
  std::vector<std::string> swap;
};

// The range the old table's partition covers: from the period of its oldest row to the end of the
// period of its newest (of `now`'s period for an empty table), plus `margin` more periods (room for
// rows written while a conversion in several transactions runs).
struct Range {
  Key lower;
  Key upper;
};
Range existing_range(const ExistingTable& table, const Steps& steps, Key now, int margin);

// What the plan asks the server: whether a relation of that name exists in the table's schema,
// and a bound as a constant of the control column's type for the CHECK constraint (PostgreSQL
// proves the partition constraint from constants; timestamptz needs the zone's rules).
struct ExistingLookups {
  std::function<bool(const std::string&)> name_taken;
  std::function<std::string(Key)> check_bound;
};

// The statements converting `table` with the old table's partition covering `range`.
ExistingPlan plan_existing(const ExistingTable& table, ControlType type,
                           const std::string& time_zone, const Steps& steps, Range range,
                           const Quoting& quoting, const ExistingLookups& lookups);

// The comment the prepared CHECK constraint carries, so that a later transaction (the procedure's
// last) reuses its range: "pgdb_tools partition_existing range <lower> <upper>" in keys.
std::string range_comment(Range range);
std::optional<Range> parse_range_comment(const std::string& comment);

}  // namespace pgdb::partitions
