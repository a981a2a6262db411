// The server's values of a set's settings and bounds, as the PG-free planner's types: control
// column types, intervals, timestamps, keys and stored partition bounds.
#pragma once

#include <optional>
#include <string>

#include "partitions/facts.hpp"
#include "pg/postgres.hpp"

namespace pgdb::partitions {

// nullopt for a type a set cannot be partitioned by.
std::optional<ControlType> control_type_of(Oid type);

// 22023 naming `argument` unless text is an interval interval_in accepts.
Period parse_interval(const std::string& text, const char* argument);

// partition_interval or retention of a set of that type: an interval, or a positive integer.
Width parse_width_of(ControlType type, const std::string& text, const char* argument);

// start_at as a key (integer sets: quoted_column names the column in messages).
Key start_key(const std::string& start_at, ControlType type, const std::string& quoted_column);

// A value of the control column as a key: local civil time in the set's zone for time sets.
Key key_of(Datum value, ControlType type, const std::string& time_zone);

// A partition bound as pg_class.relpartbound stores it, in keys.
struct StoredBound {
  bool is_default;
  Key lower;
  Key upper;
};

// 55000 when the relation has no partition bound.
StoredBound stored_bound(Oid child, ControlType type, const std::string& time_zone);

// The raw lower bound of a range partition (a date's day number, a timestamp's microseconds), for
// ordering; nullopt for a default partition or anything else.
std::optional<std::int64_t> raw_lower_bound(Oid child);

}  // namespace pgdb::partitions
