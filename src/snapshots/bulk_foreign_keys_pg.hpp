// The foreign keys of a table on the bulk path of an in-place restore (bulk_reload_pg.hpp): the
// facts bulk_reload_refusal decides on, and the check after the load, one anti-join per key
// (foreign_key_check.hpp) instead of the per-row check trigger the load does not fire.
#pragma once

#include <string>
#include <vector>

#include "pg/postgres.hpp"
#include "snapshots/foreign_key_check.hpp"

namespace pgdb::pg {
class Spi;
}

namespace pgdb::snapshots {

// The foreign keys of table relid whose check an INSERT would fire now (enforced, check trigger
// enabled for the session's replication role), as their reload by owner would meet them.
std::vector<ForeignKeyFacts> foreign_key_facts(pg::Spi& spi, Oid relid, Oid owner);

// After the bulk load of table relid (target: its quoted name): 23503, naming the constraint and
// one offending key, when a row's key has no referenced row. Runs as the table's owner under the
// caller's search_path, as the bulk load does.
void require_foreign_keys(pg::Spi& spi, Oid relid, const std::string& target);

}  // namespace pgdb::snapshots
