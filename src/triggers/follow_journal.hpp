// Managed triggers follow their tables and columns (docs/triggers.md, "Renames and drops"). The
// registry names tables by schema and name, and specs name columns, as pg_dump and restore keep
// them (OIDs change across a dump), so every rename PostgreSQL does must be written into it:
//  - ALTER TABLE ... RENAME / SET SCHEMA and ALTER SCHEMA ... RENAME: the records move with their
//    table at ddl_command_start (before the names change, when the old ones still resolve), and
//    at ddl_command_end each spec is rendered again under the new name;
//  - ALTER TABLE ... RENAME COLUMN (on a partitioned table, on its partitions too): at
//    ddl_command_end every spec naming the column is rendered with the new name and, when its
//    trigger's arguments carry the name, the trigger is re-created; a condition naming it is
//    rewritten too (PostgreSQL already rewrote the WHEN clause itself);
//  - a column dropped that a spec needs (by any statement: ALTER TABLE, DROP TYPE ... CASCADE) is
//    refused at sql_drop, naming the trigger and how to remove it first.
// Only triggers whose status was `installed` before the statement are re-rendered and recorded
// as installed after it: a trigger modified by hand stays `modified`, one already broken stays so.
// Everything runs in the statement's own transaction, so a statement that fails or is rolled
// back takes the registry's changes (and re-created triggers) with it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pg/postgres.hpp"

extern "C" {
#include "nodes/nodes.h"
}

namespace pgdb::triggers {

// One managed trigger a statement touches, noted at ddl_command_start (follow_start_pg.cpp) for
// ddl_command_end (follow_pg.cpp). The parse tree's address is what both events of one statement
// share, but a later statement of the same transaction may be parsed at the same address: each
// start opens a new generation (with a marker entry, relid 0, even when it notes nothing) and end
// takes only the latest generation of its address whose statement reads the same.
struct Followed {
  const void* statement;
  std::uint64_t generation;
  std::string signature;
  Oid relid;
  std::string trigger_name;
  bool installed;  // its status was `installed` before the statement
};

// The managed triggers noted at the start of the statement whose ddl_command_end this is.
std::vector<Followed> noted_for(const Node* tree);

}  // namespace pgdb::triggers
