#include "pg/utility.hpp"

#include <array>
#include <cstddef>

#include "pg/postgres.hpp"

extern "C" {
#include "tcop/utility.h"
}

namespace pgdb::pg {

namespace {

std::array<UtilityHook, 4> before_hooks{};
std::size_t before_hook_count = 0;
ProcessUtility_hook_type previous_hook = nullptr;

// Plain C-style: PostgreSQL's ERROR passes through this frame.
void process_utility(PlannedStmt* statement, const char* query, bool read_only_tree,
                     ProcessUtilityContext context, ParamListInfo params,
                     QueryEnvironment* environment, DestReceiver* destination,
                     QueryCompletion* completion) {
  for (std::size_t i = 0; i < before_hook_count; ++i) before_hooks[i]();
  if (previous_hook != nullptr) {
    previous_hook(statement, query, read_only_tree, context, params, environment, destination,
                  completion);
  } else {
    standard_ProcessUtility(statement, query, read_only_tree, context, params, environment,
                            destination, completion);
  }
}

}  // namespace

void register_before_utility(UtilityHook hook) {
  if (before_hook_count == before_hooks.size())
    elog(ERROR, "pgdb_tools: too many utility hooks (raise the table size)");
  if (before_hook_count == 0) {
    previous_hook = ProcessUtility_hook;
    ProcessUtility_hook = process_utility;
  }
  before_hooks[before_hook_count++] = hook;
}

}  // namespace pgdb::pg
