// The partitions of each set as read_children (gather_pg.cpp) last read them from the catalog,
// kept across the passes of this backend until a relcache invalidation names the parent or one of
// the partitions (creating, attaching, detaching, dropping or renaming a partition sends one), or
// names none (a reset): a pass with nothing to do then reads no partition bound.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "partitions/gather_pg.hpp"

namespace pgdb::partitions {

// A read of the catalog that may be kept: begun before the catalog is read, kept after.
class ChildrenRead {
 public:
  // Makes this transaction's changes visible (a command counter increment, as the SPI read it
  // replaces would) and processes the invalidations other sessions sent (as taking a lock
  // does), then looks up what was kept for the parent, read with this type and zone.
  ChildrenRead(Oid parent, ControlType type, const std::string& time_zone);
  const Children* kept() const noexcept { return kept_; }
  // Keeps children, read from the catalog since construction (members: their OIDs), unless an
  // invalidation arrived meanwhile or the transaction reads through a snapshot of its own
  // (REPEATABLE READ, SERIALIZABLE: it may not see a partition whose invalidation came before).
  void keep(const Children& children, std::vector<Oid> members);

 private:
  Oid parent_;
  ControlType type_;
  std::string time_zone_;
  unsigned long generation_;
  const Children* kept_ = nullptr;
};

// Registers the relcache callback; called once from _PG_init.
void init_children_cache();

}  // namespace pgdb::partitions
