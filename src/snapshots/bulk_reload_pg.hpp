// The bulk path of an in-place restore (restore_in_place_pg.cpp, step 8): a table emptied by
// the restore's TRUNCATE refilled from its copy through the copy engine (heap batches, no index
// upkeep per row), its NOT NULL constraints checked per row, then every index rebuilt once
// (unique and exclusion constraints checked by the build), its CHECK constraints checked by one
// scan and its foreign keys by one anti-join each (bulk_foreign_keys_pg.hpp).
#pragma once

#include <cstdint>
#include <string>

#include "pg/postgres.hpp"
#include "snapshots/restore_plan.hpp"

namespace pgdb::pg {
class Spi;
}

namespace pgdb::snapshots {

// The facts bulk_reload_refusal decides on, read from the relation cache of table relid (locked)
// for its owner, after the restore switched the user triggers off.
ReloadFacts reload_facts(pg::Spi& spi, Oid relid, Oid owner);

// Loads the rows of the copy `storage` into table relid (target: its quoted name), which the
// restore has just emptied and holds ACCESS EXCLUSIVE. Runs as the caller of this function (the
// restore acts as the table's owner, under the caller's search_path, for the CHECK constraints'
// and index expressions' code). Returns the rows loaded. Any failure is an ERROR that aborts the
// restore's transaction, so the indexes are never seen unbuilt.
std::uint64_t bulk_reload(pg::Spi& spi, Oid relid, const std::string& target, Oid storage);

}  // namespace pgdb::snapshots
