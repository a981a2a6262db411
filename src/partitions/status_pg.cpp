// What the partition_status view and partitions() read of a set: its newest bound, its runway,
// the rows in its default partition, and each partition's raw lower bound for ordering.
#include <optional>
#include <string>

#include "core/error.hpp"
#include "partitions/gather_pg.hpp"
#include "partitions/pass.hpp"
#include "partitions/registry_pg.hpp"
#include "partitions/render.hpp"
#include "partitions/values_pg.hpp"
#include "pg/guard.hpp"
#include "pg/quote.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"
#include "pg/srf.hpp"
#include "pg/subtransaction.hpp"

using namespace pgdb;
using namespace pgdb::partitions;

namespace {

struct Status {
  std::optional<std::string> newest;
  std::optional<std::string> runway;
  std::optional<std::string> default_rows;
};

// How long until the premade partitions run out: an interval in whole minutes (justified to
// days), or a number of ids.
std::string runway_of(pg::Spi& spi, ControlType type, Key upper, Key now) {
  if (is_time(type)) {
    std::int64_t minutes = (upper - now) / 60'000'000;
    spi.execute("SELECT pg_catalog.justify_hours($1 * interval '1 minute')::text",
                {pg::Param::int8(minutes)}, true);
    return spi.get_text(0, 0).value();
  }
  __int128 ids = static_cast<__int128>(upper) - now;
  return std::to_string(ids > PG_INT64_MAX ? PG_INT64_MAX : upper - now) + " ids";
}

Status read_status(pg::Spi& spi, const RegisteredSet& set) {
  const Settings& s = set.settings;
  ControlType type = require_range_parent(spi, set.parent, set.table(), s.control);
  Children children = read_children(spi, set.parent, type, s.time_zone);
  Key upper = key_min;
  for (const Partition& p : children.partitions)
    if (p.upper != key_max) upper = std::max(upper, p.upper);
  Status status;
  if (upper != key_min) {
    std::optional<IntegerFrontier> frontier;
    if (!is_time(type)) {
      Width interval = parse_width_of(type, s.interval_text, "partition_interval");
      frontier = integer_frontier(*make_steps(s, type, interval), children.partitions, s.premake);
    }
    Key now = now_for(spi, s, type, start_key(s.start_at, type, pg::quote_identifier(s.control)),
                      frontier);
    status.newest = shown_bound(upper, type);
    if (type == ControlType::timestamptz) *status.newest += " " + s.time_zone;
    status.runway = runway_of(spi, type, upper, now);
  }
  if (children.default_name) {
    spi.execute("SELECT pg_catalog.count(*)::int8 FROM " + pg::quote_identifier(s.schema) + "." +
                    pg::quote_identifier(*children.default_name),
                {}, true);
    status.default_rows = std::to_string(spi.get_int64(0, 0).value());
  }
  return status;
}

}  // namespace

// _partition_set_status(parent) RETURNS TABLE(newest_upper_bound text, runway text,
// default_rows bigint): for the partition_status view.
PGDB_FUNCTION(pgdb_tools_partition_set_status) {
  Oid parent = PG_GETARG_OID(0);
  Status status;
  {
    pg::SearchPath trusted(pg::trusted_search_path);
    pg::Spi spi;
    std::vector<RegisteredSet> sets = load_sets(spi, parent);
    // A set that cannot be read (renamed, replaced) shows NULLs rather than failing the view.
    if (!sets.empty() &&
        pg::try_in_subtransaction([&] { status = read_status(spi, sets.front()); }))
      status = Status{};
  }
  pg::ResultRows result(fcinfo);
  result.add({status.newest, status.runway, status.default_rows});
  PG_RETURN_NULL();
}

// _partition_lower_key(partition oid) RETURNS bigint: the raw lower bound, for ordering.
PGDB_FUNCTION(pgdb_tools_partition_lower_key) {
  std::optional<std::int64_t> lower = raw_lower_bound(PG_GETARG_OID(0));
  if (!lower) PG_RETURN_NULL();
  PG_RETURN_INT64(*lower);
}
