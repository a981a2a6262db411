// Shared by the partitions unit tests.
#pragma once

#include <string>
#include <vector>

#include "partitions/planner.hpp"

namespace pgdb::partitions {

// Midnight of a day, as a local time key.
inline Key day(int y, int mo, int d) { return from_civil({y, mo, d, 0, 0, 0, 0}); }

// "create events_p20261121", ... : a plan as one line per action.
inline std::vector<std::string> summary(const std::vector<Action>& actions) {
  std::vector<std::string> out;
  for (const Action& a : actions) out.push_back(std::string(kind_name(a.kind)) + " " + a.name);
  return out;
}

}  // namespace pgdb::partitions
