// What a recorded spec makes of its table's columns when they are renamed or dropped (the event
// triggers in follow_pg.cpp): which columns its arguments name, and the spec with one of them
// renamed. PG-free: the condition, which is SQL, is rewritten by the boundary.
#pragma once

#include <string>
#include <vector>

#include "core/json.hpp"

namespace pgdb::triggers {

// The columns a canonical spec's arguments name, in the order they appear: column_name of
// updated_at, soft_delete, row_version, fsm and search_vector, the source columns (keys of
// columns) of search_vector, columns or except_columns of read_only. Not the condition's: a
// column named in a WHEN clause is PostgreSQL's dependency, and manage_trigger's args are the
// user's function's business.
std::vector<std::string> spec_columns(const Json& spec);

// Renames column `from` to `to` wherever the spec's arguments name it (as spec_columns lists
// them); returns whether anything changed.
bool rename_spec_column(Json& spec, const std::string& from, const std::string& to);

}  // namespace pgdb::triggers
