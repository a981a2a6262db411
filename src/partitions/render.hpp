// The SQL text of a maintenance pass: bounds, CREATE / ATTACH / DETACH / DROP of partitions, rows
// moved out of the default partition, and what people read in outcome rows. PG-free: the boundary
// supplies the server's keyword list.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/quote.hpp"
#include "partitions/facts.hpp"

namespace pgdb::partitions {

// Identifier quoting as the server does it (its keyword list, quote_all_identifiers).
struct Quoting {
  KeywordLookup keywords;
  bool force_quotes = false;
  std::string ident(std::string_view name) const;
  std::string table(std::string_view schema, std::string_view name) const;  // schema.name
};

// A bound in SQL: MINVALUE / MAXVALUE, a number, or a literal of the column's type (timestamptz:
// the local time read in the set's zone).
std::string bound_sql(Key key, ControlType type, const std::string& time_zone);

// "YYYY-MM-DD HH:MI" of local_text's "YYYY-MM-DD HH:MI:SS.FFFFFF" (years may have more digits).
std::string minutes_of(const std::string& local);

// A bound for people: local time to the minute (a date for date sets), or the integer.
std::string shown_bound(Key key, ControlType type);

// "[lower, upper)" for people, followed by the zone for timestamptz sets.
std::string shown_range(Key lower, Key upper, ControlType type, const std::string& time_zone);

// "1 row from the default partition", "2 rows ...".
std::string moved_rows_detail(std::int64_t rows);

// One action of the plan as the executor runs it.
struct RenderedStep {
  Action action;
  std::string detail;  // the outcome row's detail (move_rows: see moved_rows_detail)
  // Raised when the step is reached, instead of running it: a move the set does not allow.
  std::optional<Error> refusal;
  // move_rows, dry run: counts the default partition's rows in the range. A real run counts the
  // rows its last statement moved instead (one scan of the default, not two), and when none
  // moved, runs discard_sql, which drops the empty table built beside the set.
  std::string count_sql;
  std::string discard_sql;
  std::vector<std::string> statements;  // run unless dry_run
  // create right after a move_rows step that moved rows into the new table beside the set: it is
  // attached instead (created in place it would fail while the default still held those rows).
  std::vector<std::string> attach_statements;
};

// The steps of a plan, in its order. move_rows steps are left out unless the default partition
// holds rows; they are refused (55000) when foreign keys reference the parent.
std::vector<RenderedStep> render(const SetFacts& facts, const std::vector<Action>& plan,
                                 const Quoting& quoting);

}  // namespace pgdb::partitions
