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

// The plan, in the order to run it: retire expired partitions, then for each missing period
// (oldest first) move its rows out of the default partition and create it, then create the default
// partition if the set wants one and has none. Periods partly covered by hand-made partitions get
// partitions for their uncovered pieces only. Throws 22023 when more than max_creates_per_pass
// partitions would be created.
std::vector<Action> plan_maintenance(const SetConfig& config, const Steps& steps,
                                     const SetState& state, Key now);

// base bounded to 63 bytes, with _2, _3, ... when that name is taken.
std::string unique_name(const std::string& base,
                        const std::function<bool(const std::string&)>& taken);

// <parent>_p<label>, as unique_name makes it; the default partition is <parent>_default.
std::string partition_name(const std::string& parent, const std::string& label,
                           const std::function<bool(const std::string&)>& taken);

}  // namespace pgdb::partitions
