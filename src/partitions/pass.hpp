// The decisions of one maintenance pass over one set, from its facts: the steps of its periods, the
// planner's configuration (where to start, what has expired), the plan and the refusal to retire
// too much; and the typed outcomes a pass reports. PG-free.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "partitions/facts.hpp"

namespace pgdb::partitions {

// The boundaries of the set's periods. Throws 22023 for a date column with periods shorter than a
// day, and what TimeSteps / IntegerSteps throw.
std::unique_ptr<Steps> make_steps(const Settings& settings, ControlType type,
                                  const Width& interval);

// The range of an integer control column.
std::int64_t type_min(ControlType type);
std::int64_t type_max(ControlType type);

// 22008 for a retention that reaches past the range of timestamps: PostgreSQL itself refuses
// now() - interval '1000000 years', and a cutoff that wrapped around would expire everything.
Error retention_overflow(const std::string& retention);

struct PassOptions {
  // Only create_partitioned backfills from start_at: later passes keep the current period and the
  // premade ones covered, so partitions that retention (or a person) removed are not brought back.
  bool backfill = false;
  bool force = false;  // retire past the set's retention_limit
};

struct PassPlan {
  std::vector<Action> actions;
  // Set when retention would retire more than the set's limit: the retiring actions were left out.
  std::optional<std::string> refusal;
};

// What the catalog answers while planning: whether a relation of that name exists in the parent's
// schema, and a check for interrupts (see SetState).
struct PlanLookups {
  std::function<bool(const std::string&)> name_taken;
  std::function<void()> check_for_interrupts;
};

// The planner's configuration for this pass: retention cutoff from `now`, and for time sets that
// were not maintained for longer than their runway, a start at the newest partition's end (so the
// missed periods are created and their rows moved out of the default). Not for integer sets, where
// a gap means an outlying id rather than lost time: filling up to it could mean millions of
// partitions.
SetConfig config_for(const SetFacts& facts, PassOptions options);

// The plan of one pass (see plan_maintenance), less the retiring actions when they exceed the
// set's retention_limit and the pass is not forced. quoted_parent names the set in messages.
PassPlan plan_pass(const SetFacts& facts, const Steps& steps, PassOptions options,
                   const std::string& quoted_parent, const PlanLookups& lookups);

// What a pass reports, one row each: run_maintenance's `action` column.
enum class OutcomeKind { create, drop, detach, archive, move_rows, error };

const char* outcome_name(OutcomeKind kind);
OutcomeKind outcome_of(Action::Kind kind);

struct Outcome {
  OutcomeKind kind;
  std::string partition;  // empty for errors
  std::string detail;
};

// An error outcome: "SQLSTATE: message".
Outcome error_outcome(std::string_view sqlstate, const std::string& message);

// What partition_runs records of a pass: the actions taken (neither errors nor row moves, which
// come with a create) and the errors, the pass's own (`failure`) first, joined by "; ".
int recorded_actions(const std::vector<Outcome>& outcomes);
std::optional<std::string> recorded_error(const std::vector<Outcome>& outcomes,
                                          const std::optional<std::string>& failure);

// How many outcomes are of the kind.
int count_of(const std::vector<Outcome>& outcomes, OutcomeKind kind);

}  // namespace pgdb::partitions
