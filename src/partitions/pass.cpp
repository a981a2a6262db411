#include "partitions/pass.hpp"

#include <algorithm>
#include <limits>

#include "core/pg_free.hpp"

namespace pgdb::partitions {

std::optional<Retention> retention_of(const std::string& mode) {
  if (mode == "drop") return Retention::drop;
  if (mode == "detach") return Retention::detach;
  if (mode == "archive") return Retention::archive;
  return std::nullopt;
}

std::int64_t type_min(ControlType type) {
  return type == ControlType::int4 ? std::numeric_limits<std::int32_t>::min()
                                   : std::numeric_limits<std::int64_t>::min();
}

std::int64_t type_max(ControlType type) {
  return type == ControlType::int4 ? std::numeric_limits<std::int32_t>::max()
                                   : std::numeric_limits<std::int64_t>::max();
}

std::unique_ptr<Steps> make_steps(const Settings& settings, ControlType type,
                                  const Width& interval) {
  if (is_time(type)) {
    if (type == ControlType::date && interval.period.micros % micros_per_day != 0)
      throw Error(sqlstate::invalid_parameter_value,
                  "partition_interval \"" + settings.interval_text +
                      "\" is shorter than a day, but " + settings.control + " is a date column");
    return std::make_unique<TimeSteps>(interval.period);
  }
  // bigint periods end one short of the type's maximum, so that next() can say MAXVALUE
  std::int64_t max = type == ControlType::int4 ? type_max(type) : type_max(type) - 1;
  return std::make_unique<IntegerSteps>(interval.count, type_min(type), max);
}

Error retention_overflow(const std::string& retention) {
  return Error(datetime_field_overflow,
               "retention \"" + retention + "\" reaches before the range of timestamps",
               "now() minus the retention would be earlier than 4714-11-24 BC.",
               "Use a shorter retention, or retention => 'none'.");
}

namespace {

Key retention_cutoff(const SetFacts& facts) {
  if (is_time(facts.type)) {
    std::optional<Key> cutoff = shift(facts.now, facts.retention->period, -1);
    if (!cutoff) throw retention_overflow(*facts.settings.retention);
    return *cutoff;
  }
  // now is the highest value that is not an outlier: retention counts from there
  return saturating_minus(facts.now, facts.retention->count);
}

}  // namespace

SetConfig config_for(const SetFacts& facts, PassOptions options) {
  const Settings& settings = facts.settings;
  SetConfig config;
  config.parent = settings.name;
  config.premake = settings.premake;
  if (options.backfill) config.start = facts.start;
  config.default_partition = settings.default_partition;
  if (settings.retention && facts.retention) {
    // The registry's CHECK allows only the three modes.
    config.retention = retention_of(settings.retention_mode).value_or(Retention::archive);
    config.retention_cutoff = retention_cutoff(facts);
  }
  if (!options.backfill && is_time(facts.type)) {
    Key newest = key_min;
    for (const Partition& p : facts.partitions) {
      if (p.upper != key_max) newest = std::max(newest, p.upper);
    }
    if (newest != key_min && newest < facts.now) config.start = newest;
  }
  return config;
}

PassPlan plan_pass(const SetFacts& facts, const Steps& steps, PassOptions options,
                   const std::string& quoted_parent, const PlanLookups& lookups) {
  SetState state;
  state.partitions = facts.partitions;
  state.has_default = facts.default_partition.has_value();
  if (lookups.name_taken) state.name_taken = lookups.name_taken;
  if (lookups.check_for_interrupts) state.check_for_interrupts = lookups.check_for_interrupts;
  PassPlan plan;
  plan.actions = plan_maintenance(config_for(facts, options), steps, state, facts.now);
  plan.refusal = retirement_refusal(plan.actions, facts.partitions.size(),
                                    facts.settings.retention_limit, quoted_parent);
  if (plan.refusal && !options.force) {
    std::erase_if(plan.actions, retires);
  } else {
    plan.refusal.reset();
  }
  return plan;
}

const char* outcome_name(OutcomeKind kind) {
  switch (kind) {
    case OutcomeKind::create:
      return "create";
    case OutcomeKind::drop:
      return "drop";
    case OutcomeKind::detach:
      return "detach";
    case OutcomeKind::archive:
      return "archive";
    case OutcomeKind::move_rows:
      return "move_rows";
    case OutcomeKind::error:
      return "error";
  }
  return "";
}

OutcomeKind outcome_of(Action::Kind kind) {
  switch (kind) {
    case Action::Kind::create:
    case Action::Kind::create_default:
      return OutcomeKind::create;
    case Action::Kind::move_rows:
      return OutcomeKind::move_rows;
    case Action::Kind::drop:
      return OutcomeKind::drop;
    case Action::Kind::detach:
      return OutcomeKind::detach;
    case Action::Kind::archive:
      return OutcomeKind::archive;
  }
  return OutcomeKind::error;
}

Outcome error_outcome(std::string_view sqlstate, const std::string& message) {
  return {OutcomeKind::error, {}, std::string(sqlstate) + ": " + message};
}

int recorded_actions(const std::vector<Outcome>& outcomes) {
  return static_cast<int>(std::count_if(outcomes.begin(), outcomes.end(), [](const Outcome& o) {
    return o.kind != OutcomeKind::error && o.kind != OutcomeKind::move_rows;
  }));
}

std::optional<std::string> recorded_error(const std::vector<Outcome>& outcomes,
                                          const std::optional<std::string>& failure) {
  std::optional<std::string> error = failure;
  for (const Outcome& o : outcomes) {
    if (o.kind == OutcomeKind::error) error = error ? *error + "; " + o.detail : o.detail;
  }
  return error;
}

int count_of(const std::vector<Outcome>& outcomes, OutcomeKind kind) {
  return static_cast<int>(std::count_if(outcomes.begin(), outcomes.end(),
                                        [kind](const Outcome& o) { return o.kind == kind; }));
}

}  // namespace pgdb::partitions
