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
  for (Key lower = first; lower != key_max && lower <= last;) {
    Key upper = steps.next(lower);
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
