// What one maintenance pass does to one partition set: given the set's configuration, the
// partitions it has (bounds read from the catalog) and "now", the partitions to create, retire
// and fill from the default partition. PG-free.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "partitions/steps.hpp"

namespace pgdb::partitions {

struct Partition {
  std::string name;
  Key lower;  // key_min: MINVALUE
  Key upper;  // key_max: MAXVALUE
};

struct SetState {
  std::vector<Partition> partitions;  // every partition but the default, in any order
  bool has_default = false;
  // Whether a relation of that name exists in the parent's schema: it is never overwritten.
  std::function<bool(const std::string&)> name_taken = [](const std::string&) { return false; };
  // Called every few thousand periods the planner walks, so that a cancel stops a long plan
  // (the executor passes CHECK_FOR_INTERRUPTS).
  std::function<void()> check_for_interrupts = [] {};
};

enum class Retention { none, drop, detach, archive };

struct SetConfig {
  std::string parent;                   // the parent table's name: partition names start with it
  int premake = 4;                      // periods after the current one
  std::optional<Key> start;             // first period to keep covered (a key inside it)
  std::optional<Key> retention_cutoff;  // partitions wholly below it expire
  Retention retention = Retention::none;
  bool default_partition = true;
};

struct Action {
  enum class Kind { create, create_default, move_rows, drop, detach, archive };
  Kind kind;
  std::string name;  // the partition created, retired or filled
  Key lower = 0;
  Key upper = 0;
};

const char* kind_name(Action::Kind kind);

// The most partitions one pass creates; more means a start far in the past with a short interval.
inline constexpr std::size_t max_creates_per_pass = 100000;
// The most periods one pass walks (covered or not), for the same reason.
inline constexpr std::size_t max_periods_per_pass = 1000000;

// The plan, in the order to run it: retire expired partitions, then for each missing period
// (oldest first) move its rows out of the default partition and create it, then create the default
// partition if the set wants one and has none. Periods partly covered by hand-made partitions get
// partitions for their uncovered pieces only. Throws 22023 when more than max_creates_per_pass
// partitions would be created or more than max_periods_per_pass periods walked.
std::vector<Action> plan_maintenance(const SetConfig& config, const Steps& steps,
                                     const SetState& state, Key now);

// Where an integer set stands according to the partitions maintenance made, not to its highest
// value alone (one stray id must not steer creation or retention). frontier: the upper bound of the
// newest finite partition; current: the start of the period premake + 1 periods before it, the one
// maintenance last treated as current (it made that one and premake more); outlier_from: values at
// or past it (one runway, premake + 1 periods, beyond the frontier) are outliers and do not count
// as the set's position; key_max when the type ends first.
struct IntegerFrontier {
  Key frontier;
  Key current;
  Key outlier_from;
};

// nullopt when the set has no finite partition yet.
std::optional<IntegerFrontier> integer_frontier(const Steps& steps,
                                                const std::vector<Partition>& partitions,
                                                int premake);

// key - width, or key_min when that would leave int64 (nothing is that old).
Key saturating_minus(Key key, std::int64_t width);

// The message of the refusal when the plan retires more than limit_percent of the set's
// `partitions` (and more than one): a pass that retires most of a set is more likely a mistake
// or an attack (a stray value, a retention typo) than what its owner wants. nullopt when allowed.
std::optional<std::string> retirement_refusal(const std::vector<Action>& plan,
                                              std::size_t partitions, int limit_percent,
                                              const std::string& parent);

// Range checks of a set's settings, made before anything is created or registered: 22023 for a
// premake outside 0..max_premake or a retention_limit outside 0..100; 22003 for an integer setting
// (start_at, retention) outside the column type's [min, max], named by argument.
inline constexpr int max_premake = 10000;
void check_premake(int premake);
void check_retention_limit(int percent);
void check_integer_setting(const std::string& argument, const std::string& column,
                           std::int64_t value, std::int64_t min, std::int64_t max);

// True for the actions that retire a partition (drop, detach, archive).
bool retires(const Action& action);

// base bounded to 63 bytes, with _2, _3, ... when that name is taken.
std::string unique_name(const std::string& base,
                        const std::function<bool(const std::string&)>& taken);

// <parent>_p<label>, as unique_name makes it; the default partition is <parent>_default.
std::string partition_name(const std::string& parent, const std::string& label,
                           const std::function<bool(const std::string&)>& taken);

}  // namespace pgdb::partitions
