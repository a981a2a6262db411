// Checks and parsing of a set's settings that need no server: numbers, modes, combinations. The
// rest (intervals, timestamps, time zones, schemas) is read by the boundary (validate_pg.cpp).
// PG-free.
#pragma once

#include <cstdint>
#include <string>

#include "partitions/facts.hpp"

namespace pgdb::partitions {

// A positive integer setting (partition_interval or retention of an integer set): 22003 beyond
// bigint, 22023 for anything else that is not a positive integer. argument names it.
std::int64_t parse_width(const std::string& text, const char* argument);

// start_at of an integer set: 22003 beyond the column's type, 22023 when not an integer.
// quoted_column names the control column in messages.
std::int64_t parse_integer_start(const std::string& text, ControlType type,
                                 const std::string& quoted_column);

// premake, retention_mode (and its archive_schema) and retention_limit: 22023 unless valid.
void check_modes(const Settings& settings);

}  // namespace pgdb::partitions
