// The part of the rename event triggers that belongs to managed triggers (follow_pg.cpp), called
// from the ddl_command_start event trigger that partition sets use too (partitions/renames_pg.cpp).
#pragma once

#include "pg/postgres.hpp"

extern "C" {
#include "nodes/nodes.h"
}

namespace pgdb::triggers {

// At ddl_command_start of ALTER TABLE / ALTER SCHEMA: notes the managed triggers the statement
// renames things under (for ddl_command_end) and moves the records of a renamed or moved table,
// or of the tables of a renamed schema, to the new name.
void follow_renames_start(Node* tree);

}  // namespace pgdb::triggers
