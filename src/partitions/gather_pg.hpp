// The facts of one set, read from the catalog once per pass (see facts.hpp), and the catalog
// lookups its planning and rendering need.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "partitions/facts.hpp"
#include "partitions/pass.hpp"
#include "partitions/registry_pg.hpp"
#include "partitions/render.hpp"

namespace pgdb::pg {
class Spi;
}

namespace pgdb::partitions {

// The parent's partition key: 42809/22023/42703/42804 unless it is PARTITION BY RANGE on exactly
// the control column, of a supported type. Returns the column's type.
ControlType require_range_parent(pg::Spi& spi, Oid parent, const pg::TableName& table,
                                 const std::string& control);

// 55000 when the table was renamed, dropped and replaced, or handed to another owner since its
// set was registered: maintenance runs as the role that registered it.
void require_registered_owner(const RegisteredSet& set);

// The set's partitions as the catalog has them: every partition but the default (bounds as keys),
// and the default's name.
struct Children {
  std::vector<Partition> partitions;
  std::optional<std::string> default_name;
  Oid default_oid = InvalidOid;
};
Children read_children(pg::Spi& spi, Oid parent, ControlType type, const std::string& time_zone);

// "Now" for the set: the local time in its zone for time sets; for integer sets the highest value
// that is not an outlier (below frontier->outlier_from), else the frontier's current period, else
// (no partitions yet) the highest value or start.
Key now_for(pg::Spi& spi, const Settings& settings, ControlType type, Key start,
            const std::optional<IntegerFrontier>& frontier = std::nullopt);

// Everything a pass plans from, read as the role running it (the table's owner). interval and
// steps: the set's periods (see make_steps).
SetFacts gather(pg::Spi& spi, const RegisteredSet& set, ControlType type, const Width& interval,
                const Steps& steps);

// What only some plans need, read once the plan is known: the default's columns and the foreign
// keys referencing the parent when rows move (columns not for a dry run), the owner and grants
// new partitions adopt when partitions are created (not for a dry run).
void complete_facts(pg::Spi& spi, const RegisteredSet& set, SetFacts& facts,
                    const std::vector<Action>& plan, bool dry_run);

// Relation names taken in the parent's schema, and CHECK_FOR_INTERRUPTS, for the planner.
PlanLookups lookups_for(Oid parent);

// Identifier quoting as the server does it.
Quoting server_quoting();

}  // namespace pgdb::partitions
