#include "partitions/children_cache_pg.hpp"

#include <cstddef>
#include <unordered_map>
#include <utility>

#include "pg/guard.hpp"

extern "C" {
#include "access/xact.h"
#include "utils/inval.h"
}

namespace pgdb::partitions {

namespace {

struct KeptChildren {
  ControlType type;
  std::string time_zone;
  Children children;
  std::vector<Oid> members;
};

// Beyond this many partitions in all, the cache is emptied before another set is kept.
constexpr std::size_t max_kept_partitions = 200000;

std::unordered_map<Oid, KeptChildren> kept_sets;  // by parent
std::unordered_map<Oid, Oid> parent_of;           // partition -> parent, for the kept sets
std::size_t kept_partitions = 0;
unsigned long generation = 0;  // counts invalidations, so that a read they overtook is not kept

void forget_set(Oid parent) noexcept {
  auto found = kept_sets.find(parent);
  if (found == kept_sets.end()) return;
  for (Oid member : found->second.members) parent_of.erase(member);
  kept_partitions -= found->second.members.size();
  kept_sets.erase(found);
}

void forget_all() noexcept {
  kept_sets.clear();
  parent_of.clear();
  kept_partitions = 0;
}

// The relcache callback: no allocation, no error.
void on_relcache_invalidation(Datum, Oid relid) {
  ++generation;
  if (!OidIsValid(relid)) {
    forget_all();
    return;
  }
  forget_set(relid);
  auto member = parent_of.find(relid);
  if (member != parent_of.end()) forget_set(member->second);
}

}  // namespace

ChildrenRead::ChildrenRead(Oid parent, ControlType type, const std::string& time_zone)
    : parent_(parent), type_(type), time_zone_(time_zone) {
  // As the catalog read this replaces would: its SPI statement would first make this
  // transaction's own changes visible (processing their invalidations), and taking its locks
  // would process those of other sessions.
  pg::call([] {
    if (!IsInParallelMode()) CommandCounterIncrement();
    AcceptInvalidationMessages();
  });
  generation_ = generation;
  auto found = kept_sets.find(parent);
  if (found != kept_sets.end() && found->second.type == type &&
      found->second.time_zone == time_zone)
    kept_ = &found->second.children;
}

void ChildrenRead::keep(const Children& children, std::vector<Oid> members) {
  if (generation != generation_ || IsolationUsesXactSnapshot()) return;
  forget_set(parent_);
  if (kept_partitions + members.size() > max_kept_partitions) forget_all();
  KeptChildren entry{type_, time_zone_, children, std::move(members)};
  for (Oid member : entry.members) parent_of[member] = parent_;
  std::size_t count = entry.members.size();
  kept_sets.insert_or_assign(parent_, std::move(entry));
  kept_partitions += count;
}

void init_children_cache() { CacheRegisterRelcacheCallback(on_relcache_invalidation, Datum(0)); }

}  // namespace pgdb::partitions
