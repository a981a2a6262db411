#include "partitions/planner.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/naming.hpp"
#include "core/pg_free.hpp"

namespace pgdb::partitions {

const char* kind_name(Action::Kind kind) {
  switch (kind) {
    case Action::Kind::create:
      return "create";
    case Action::Kind::create_default:
      return "create";
    case Action::Kind::move_rows:
      return "move_rows";
    case Action::Kind::drop:
      return "drop";
    case Action::Kind::detach:
      return "detach";
    case Action::Kind::archive:
      return "archive";
  }
  return "";
}

std::string unique_name(const std::string& base,
                        const std::function<bool(const std::string&)>& taken) {
  std::string name = bounded_identifier(base);
  for (int n = 2; taken(name); ++n) name = bounded_identifier(base + "_" + std::to_string(n));
  return name;
}

std::string partition_name(const std::string& parent, const std::string& label,
                           const std::function<bool(const std::string&)>& taken) {
  return unique_name(parent + "_p" + label, taken);
}

namespace {

struct Piece {
  Key lower;
  Key upper;
};

// The parts of [lower, upper) that no existing partition covers; existing sorted by lower.
std::vector<Piece> uncovered(Key lower, Key upper, const std::vector<Partition>& existing) {
  std::vector<Piece> pieces;
  Key cursor = lower;
  for (const Partition& p : existing) {
    if (p.upper <= cursor) continue;
    if (p.lower >= upper) break;
    if (p.lower > cursor) pieces.push_back({cursor, p.lower});
    cursor = std::max(cursor, p.upper);
    if (cursor >= upper) break;
  }
  if (cursor < upper) pieces.push_back({cursor, upper});
  return pieces;
}

}  // namespace

void check_premake(int premake) {
  if (premake < 0 || premake > max_premake)
    throw Error(sqlstate::invalid_parameter_value, "premake must be between 0 and " +
                                                       std::to_string(max_premake) + ", not " +
                                                       std::to_string(premake));
}

void check_retention_limit(int percent) {
  if (percent < 0 || percent > 100)
    throw Error(
        sqlstate::invalid_parameter_value,
        "retention_limit must be between 0 and 100 (percent), not " + std::to_string(percent));
}

void check_integer_setting(const std::string& argument, const std::string& column,
                           std::int64_t value, std::int64_t min, std::int64_t max) {
  if (value < min || value > max)
    throw Error(
        numeric_value_out_of_range,
        argument + " \"" + std::to_string(value) + "\" is out of range for the type of " + column,
        "It must lie between " + std::to_string(min) + " and " + std::to_string(max) + ".");
}

bool retires(const Action& action) {
  return action.kind == Action::Kind::drop || action.kind == Action::Kind::detach ||
         action.kind == Action::Kind::archive;
}

std::optional<IntegerFrontier> integer_frontier(const Steps& steps,
                                                const std::vector<Partition>& partitions,
                                                int premake) {
  std::optional<Key> frontier;
  for (const Partition& p : partitions) {
    if (p.upper != key_max && (!frontier || p.upper > *frontier)) frontier = p.upper;
  }
  if (!frontier) return std::nullopt;
  IntegerFrontier result{*frontier, *frontier, *frontier};
  for (int i = 0; i <= premake && result.current != key_min; ++i)
    result.current = steps.previous(result.current);
  for (int i = 0; i <= premake && result.outlier_from != key_max; ++i)
    result.outlier_from = steps.next(result.outlier_from);
  return result;
}

Key saturating_minus(Key key, std::int64_t width) {
  Key result = 0;
  return __builtin_sub_overflow(key, width, &result) ? key_min : result;
}

std::optional<std::string> retirement_refusal(const std::vector<Action>& plan,
                                              std::size_t partitions, int limit_percent,
                                              const std::string& parent) {
  std::size_t retiring = 0;
  for (const Action& action : plan) retiring += retires(action) ? 1 : 0;
  if (retiring <= 1 || retiring * 100 <= static_cast<std::size_t>(limit_percent) * partitions)
    return std::nullopt;
  return "retention would retire " + std::to_string(retiring) + " of the " +
         std::to_string(partitions) + " partitions of " + parent + ", more than its limit of " +
         std::to_string(limit_percent) +
         "%; nothing was retired. If that is intended, run run_maintenance(parent, force => "
         "true) once, or raise the limit with update_partitioned(parent, retention_limit => ...)";
}

std::vector<Action> plan_maintenance(const SetConfig& config, const Steps& steps,
                                     const SetState& state, Key now) {
  std::vector<Action> actions;
  std::vector<Partition> existing = state.partitions;
  std::sort(existing.begin(), existing.end(),
            [](const Partition& a, const Partition& b) { return a.lower < b.lower; });

  // Retire what has expired: partitions wholly below the cutoff (the default never).
  if (config.retention != Retention::none && config.retention_cutoff) {
    Action::Kind kind = config.retention == Retention::drop     ? Action::Kind::drop
                        : config.retention == Retention::detach ? Action::Kind::detach
                                                                : Action::Kind::archive;
    for (const Partition& p : existing) {
      if (p.upper != key_max && p.upper <= *config.retention_cutoff)
        actions.push_back({kind, p.name, p.lower, p.upper});
    }
  }

  // Keep [first, end of the premade periods) covered.
  Key current = steps.floor(now);
  Key first = config.start ? steps.floor(*config.start) : current;
  if (config.retention_cutoff) first = std::max(first, steps.floor(*config.retention_cutoff));
  Key last = current;
  for (int i = 0; i < config.premake && last != key_max; ++i) last = steps.next(last);
  std::set<std::string> planned;
  auto taken = [&](const std::string& name) {
    return planned.count(name) || state.name_taken(name);
  };
  std::size_t creates = 0;
  std::size_t periods = 0;
  for (Key lower = first; lower != key_max && lower <= last;) {
    if (++periods > max_periods_per_pass)
      throw Error(sqlstate::invalid_parameter_value,
                  "maintenance of " + config.parent + " would walk more than " +
                      std::to_string(max_periods_per_pass) + " periods",
                  {}, "Use a later start_at or a longer partition_interval.");
    if (periods % 4096 == 0) state.check_for_interrupts();
    Key upper = steps.next(lower);
    if (upper <= lower)
      throw Error(sqlstate::internal_error, "partition periods do not advance at " +
                                                std::to_string(lower) + " for " + config.parent);
    for (const Piece& piece : uncovered(lower, upper, existing)) {
      if (++creates > max_creates_per_pass)
        throw Error(sqlstate::invalid_parameter_value,
                    "maintenance would create more than " + std::to_string(max_creates_per_pass) +
                        " partitions for " + config.parent,
                    {}, "Use a later start_at or a longer partition_interval.");
      std::string name = partition_name(config.parent, steps.label(piece.lower), taken);
      planned.insert(name);
      if (state.has_default)
        actions.push_back({Action::Kind::move_rows, name, piece.lower, piece.upper});
      actions.push_back({Action::Kind::create, name, piece.lower, piece.upper});
    }
    lower = upper;
  }

  if (config.default_partition && !state.has_default) {
    std::string name = unique_name(config.parent + "_default", taken);
    actions.push_back({Action::Kind::create_default, name, 0, 0});
  }
  return actions;
}

}  // namespace pgdb::partitions
