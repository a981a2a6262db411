#include "pg/xact.hpp"

#include <array>
#include <cstddef>

#include "pg/postgres.hpp"

namespace pgdb::pg {

namespace {
// A fixed table: registration happens while loading, and the callbacks must not allocate.
std::array<XactListener*, 16> listeners{};
std::size_t listener_count = 0;
std::array<XactHook, 4> pre_commit_hooks{};
std::size_t pre_commit_hook_count = 0;
std::array<XactHook, 4> pre_prepare_hooks{};
std::size_t pre_prepare_hook_count = 0;

void on_xact_event(XactEvent event, void*) {
  switch (event) {
    case XACT_EVENT_COMMIT:
    case XACT_EVENT_PARALLEL_COMMIT:
    case XACT_EVENT_ABORT:
    case XACT_EVENT_PARALLEL_ABORT:
    case XACT_EVENT_PREPARE:
      for (std::size_t i = 0; i < listener_count; ++i) listeners[i]->on_xact_end();
      break;
    case XACT_EVENT_PRE_COMMIT:
      for (std::size_t i = 0; i < pre_commit_hook_count; ++i) pre_commit_hooks[i]();
      break;
    case XACT_EVENT_PRE_PREPARE:
      for (std::size_t i = 0; i < pre_prepare_hook_count; ++i) pre_prepare_hooks[i]();
      break;
    default:
      break;
  }
}

void on_subxact_event(SubXactEvent event, SubTransactionId subxact, SubTransactionId parent,
                      void*) {
  switch (event) {
    case SUBXACT_EVENT_COMMIT_SUB:
      for (std::size_t i = 0; i < listener_count; ++i)
        listeners[i]->on_subxact_commit(subxact, parent);
      break;
    case SUBXACT_EVENT_ABORT_SUB:
      for (std::size_t i = 0; i < listener_count; ++i) listeners[i]->on_subxact_abort(subxact);
      break;
    default:
      break;
  }
}
}  // namespace

void install_xact_callbacks() {
  RegisterXactCallback(on_xact_event, nullptr);
  RegisterSubXactCallback(on_subxact_event, nullptr);
}

void register_xact_listener(XactListener& listener) {
  if (listener_count == listeners.size())
    elog(ERROR, "pgdb_tools: too many transaction listeners (raise the table size)");
  listeners[listener_count++] = &listener;
}

void register_pre_commit_hook(XactHook hook) {
  if (pre_commit_hook_count == pre_commit_hooks.size())
    elog(ERROR, "pgdb_tools: too many pre-commit hooks (raise the table size)");
  pre_commit_hooks[pre_commit_hook_count++] = hook;
}

void register_pre_prepare_hook(XactHook hook) {
  if (pre_prepare_hook_count == pre_prepare_hooks.size())
    elog(ERROR, "pgdb_tools: too many pre-prepare hooks (raise the table size)");
  pre_prepare_hooks[pre_prepare_hook_count++] = hook;
}

SubxactId current_subxact() noexcept { return GetCurrentSubTransactionId(); }

}  // namespace pgdb::pg
