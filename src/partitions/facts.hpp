// What one maintenance pass knows about one partition set, read once at its start (gather_pg.cpp)
// and handed to the PG-free planner (pass.hpp) and renderer (render.hpp). PG-free.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "partitions/planner.hpp"
#include "partitions/steps.hpp"

namespace pgdb::partitions {

// The types a set's control column may have.
enum class ControlType { timestamptz, timestamp, date, int4, int8 };

inline bool is_time(ControlType type) {
  return type == ControlType::timestamptz || type == ControlType::timestamp ||
         type == ControlType::date;
}

// The set's settings as pgdb_tools.partition_sets holds them (schema and name of the parent).
struct Settings {
  std::string schema;
  std::string name;
  std::string control;
  std::string interval_text;
  int premake = 4;
  std::string start_at;
  std::optional<std::string> retention;
  std::string retention_mode = "drop";
  std::optional<std::string> archive_schema;
  bool default_partition = true;
  std::string time_zone = "UTC";
  std::string owner_name;            // the role that owned the parent when the set was registered
  int retention_limit = 50;          // percent of the partitions one pass may retire without force
  std::uint32_t template_table = 0;  // the OID of the template_table setting; 0 for none
};

// drop, detach, archive; nullopt for anything else.
std::optional<Retention> retention_of(const std::string& mode);

// The length of a period: an interval for time sets, a number of values for integer sets.
struct Width {
  Period period;           // time sets
  std::int64_t count = 0;  // integer sets
};

// One entry of the parent's ACL that new partitions copy: grantee nullopt is PUBLIC.
struct Grant {
  std::string privilege;
  std::optional<std::string> grantee;
  bool grantable = false;
};

// What new partitions take from the set's template table, or else its newest partition (a
// partitioned parent holds no storage parameters and its replica identity is not inherited).
struct Properties {
  std::vector<std::string> reloptions;        // "name=value", as pg_class.reloptions holds them
  std::vector<std::string> toast_reloptions;  // likewise, of the TOAST table
  std::optional<std::string> tablespace;      // the template's, else the parent's, else the newest
                                              // partition's; nullopt for the database's default
  char replica_identity = 'd';                // 'f' FULL and 'n' NOTHING are copied; 'i'
                                              // USING INDEX when the source is a partition:
  std::string replica_index_parent;           // the parent's index its index is attached to
};

// New partitions belong to the parent's owner and carry its grants and the properties above.
struct Adoption {
  std::optional<std::string> owner;  // set when the role running the pass is not the owner
  std::vector<Grant> grants;
  Properties properties;
};

// Everything about the default partition a pass needs to move rows out of it.
struct DefaultPartition {
  std::string name;
  bool has_rows = false;
  // Read only when it has rows and the plan moves some (gather_pg.cpp: complete_facts):
  bool referenced_by_foreign_keys = false;  // rows leave it by DELETE: a cascade would fire
  std::vector<std::string> row_columns;     // not dropped, not generated, in order, unquoted
};

struct SetFacts {
  Settings settings;
  ControlType type = ControlType::timestamptz;
  Width interval;
  std::optional<Width> retention;     // parsed settings.retention
  Key start = 0;                      // settings.start_at as a key
  Key now = 0;                        // local time in the set's zone; for integer sets see now_for
  std::vector<Partition> partitions;  // every partition but the default
  std::optional<DefaultPartition> default_partition;
  Adoption adoption;  // read once a plan creates something and is not a dry run
  // Read once a plan drops a partition: PostgreSQL refuses DROP TABLE of a partition of a
  // referenced table outright (2BP01), so it is detached first, which checks the references.
  bool referenced_by_foreign_keys = false;
};

}  // namespace pgdb::partitions
