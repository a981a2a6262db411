// evacuate_default and _evacuate_default_batch (evacuate_default_proc loops over the latter,
// committing after each batch): rows leave the default partition one whole period at a time, each
// period's partition built beside the set, filled and attached (maintain_pg.cpp's steps), oldest
// period first. The decisions are evacuate.cpp's.
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "partitions/evacuate.hpp"
#include "partitions/gather_pg.hpp"
#include "partitions/maintain_pg.hpp"
#include "partitions/registry_pg.hpp"
#include "partitions/values_pg.hpp"
#include "pg/datum.hpp"
#include "pg/guard.hpp"
#include "pg/quote.hpp"
#include "pg/relation.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"
#include "pg/srf.hpp"

using namespace pgdb;
using namespace pgdb::partitions;

namespace {

struct Batch {
  std::int64_t moved = 0;
  std::int64_t left = 0;  // rows in the default partition after the batch
  bool done = false;      // no row that may leave is left: the next batch would move none
  std::optional<std::string> staying;  // once done: which rows stay, and why (a NOTICE)
};

// Runs one period's steps (move its rows out of the default, then create or attach its
// partition), adding the rows moved to `moved`. A period reached by walking (not by min()) may
// hold no row: its table is dropped again by the move and no partition is made for it; its name
// is returned.
std::optional<std::string> run_evacuation(pg::Spi& spi, const std::vector<RenderedStep>& steps,
                                          bool walking, std::int64_t& moved) {
  std::vector<Outcome> outcomes;
  std::optional<std::string> empty;
  for (const RenderedStep& step : steps) {
    if (step.action.name == empty) continue;
    std::int64_t rows = run_steps(spi, {step}, outcomes);
    moved += rows;
    if (walking && step.action.kind == Action::Kind::move_rows && rows == 0)
      empty = step.action.name;
  }
  return empty;
}

// The rows left in the default after a batch and, once no row that may leave is left, which stay
// and why.
void count_left(pg::Spi& spi, const RegisteredSet& set, const SetFacts& facts,
                const EvacuationWindow& window, const Quoting& quoting, Batch& batch) {
  spi.execute(staying_sql(facts, window, quoting), {}, false);
  StayingRows staying{spi.get_int64(0, 0).value(), spi.get_int64(0, 1).value(),
                      spi.get_int64(0, 2).value(), spi.get_int64(0, 3).value()};
  batch.left = staying.total;
  if (!batch.done) return;
  ControlType type = facts.type;
  auto shown = [type](const std::optional<Key>& key) -> std::optional<std::string> {
    if (!key) return std::nullopt;
    return shown_bound(*key, type);
  };
  batch.staying =
      staying_notice(staying, set.table().quoted(), pg::quote_identifier(set.settings.control),
                     shown(window.from), shown(window.until));
}

// One batch, in the caller's transaction, as the table's owner: whole periods, oldest first, until
// batch_size rows have moved or none that may move is left.
Batch evacuate_batch(pg::Spi& spi, const RegisteredSet& set, std::int64_t batch_size) {
  require_registered_owner(set);
  const Settings& settings = set.settings;
  ControlType type = require_range_parent(spi, set.parent, set.table(), settings.control);
  // As maintenance does (maintain_pg.cpp): triggers fired by the moves run with the owner's
  // rights, never the caller's.
  pg::ActingAs as_table_owner(set.owner);
  pg::set_in_scope("jit", "off");  // as maintain() does
  Width interval = parse_width_of(type, settings.interval_text, "partition_interval");
  std::unique_ptr<Steps> steps = make_steps(settings, type, interval);
  SetFacts facts = gather(spi, set, type, interval, *steps);
  Batch batch;
  if (!facts.default_partition) {
    batch.done = true;
    return batch;
  }
  EvacuationWindow window = evacuation_window(facts, *steps);
  Quoting quoting = server_quoting();
  PlanLookups lookups = lookups_for(set.parent);
  std::optional<Key> from;
  // The newest row to move, from the last min/max read: while the period after the one just
  // moved starts at or before it, that period is moved next without reading min() again (one
  // scan of the default per period saved). A period found empty or covered ends the walk: the
  // next one is found by min() again, so a sparse default does not walk every gap.
  Key newest = 0;
  bool newest_known = false;
  bool completed = false;
  while (batch.moved < batch_size) {
    pg::check_for_interrupts();
    bool walking = newest_known && from && *from <= newest;
    Key oldest = 0;
    if (walking) {
      oldest = *from;
    } else {
      // not read-only: it must see the rows this call moved already
      spi.execute(oldest_sql(facts, window, from, quoting), {}, false);
      bool is_null = false;
      Datum oldest_value = spi.value(0, 0, is_null);
      if (is_null) {
        batch.done = true;
        break;
      }
      oldest = key_of(oldest_value, type, settings.time_zone);
      newest = key_of(spi.value(0, 1, is_null), type, settings.time_zone);
      newest_known = true;
    }
    std::vector<Action> plan = plan_evacuation(facts, *steps, oldest, lookups);
    if (plan.empty() && walking) {
      newest_known = false;  // a period a partition already covers: find the next row by min()
      continue;
    }
    if (plan.empty())
      throw Error(sqlstate::internal_error,
                  "the default partition of " + set.table().quoted() +
                      " holds rows of a period that partitions already cover");
    if (!completed) {
      // the default's columns, the foreign keys on the parent, the grants: read once
      complete_facts(spi, set, facts, plan, false);
      completed = true;
    }
    std::optional<std::string> empty =
        run_evacuation(spi, render(facts, plan, quoting), walking, batch.moved);
    if (empty) newest_known = false;  // a gap: the next row is found by min()
    for (const Action& action : plan)
      if (action.kind == Action::Kind::create && action.name != empty)
        facts.partitions.push_back({action.name, action.lower, action.upper});
    // An integer set's runway starts from the partitions just made: ids that follow on from
    // them are the set's rows, not outliers (only a gap of more than one runway stops the move).
    window = evacuation_window(facts, *steps);
    from = after_period(*steps, oldest);
    if (!from) {
      batch.done = true;
      break;
    }
  }
  count_left(spi, set, facts, window, quoting, batch);
  return batch;
}

struct Call {
  Oid parent;
  std::int64_t batch_size;
};

Call arguments(FunctionCallInfo fcinfo) {
  if (PG_ARGISNULL(0)) throw Error(sqlstate::invalid_parameter_value, "parent must not be NULL");
  Oid parent = PG_GETARG_OID(0);
  if (!OidIsValid(parent))
    throw Error(sqlstate::invalid_parameter_value, "parent must name a table, not \"-\"");
  std::int64_t batch_size = PG_ARGISNULL(1) ? 10000 : PG_GETARG_INT32(1);
  check_batch_size(batch_size);
  pg::require_table(parent, "parent");
  pg::require_table_owner(parent, "move rows out of its default partition");
  return {parent, batch_size};
}

}  // namespace

// evacuate_default(parent regclass, batch_size integer DEFAULT 10000) RETURNS bigint: every batch
// in the caller's transaction, a NOTICE after each; returns the rows moved.
PGDB_FUNCTION(pgdb_tools_evacuate_default) {
  Call call = arguments(fcinfo);
  std::int64_t total = 0;
  {
    pg::SearchPath trusted(pg::trusted_search_path);
    pg::Spi spi;
    RegisteredSet set = require_set(spi, call.parent);
    lock_set(spi, call.parent);
    std::string parent = set.table().quoted();
    for (std::int64_t number = 1;; ++number) {
      Batch batch = evacuate_batch(spi, set, call.batch_size);
      total += batch.moved;
      if (batch.moved > 0) pg::notice(batch_notice(parent, number, batch.moved, batch.left));
      if (batch.staying) pg::notice(*batch.staying);
      if (batch.done || batch.moved == 0) break;
    }
  }
  PG_RETURN_INT64(total);
}

// _evacuate_default_batch(parent regclass, batch_size integer)
//   RETURNS TABLE(moved bigint, rows_left bigint, done boolean, staying text): one batch, for
// evacuate_default_proc, which commits after each and raises `staying` as a NOTICE.
PGDB_FUNCTION(pgdb_tools_evacuate_default_batch) {
  Call call = arguments(fcinfo);
  Batch batch;
  {
    pg::SearchPath trusted(pg::trusted_search_path);
    pg::Spi spi;
    RegisteredSet set = require_set(spi, call.parent);
    lock_set(spi, call.parent);
    batch = evacuate_batch(spi, set, call.batch_size);
  }
  pg::ResultRows result(fcinfo);
  result.add({std::to_string(batch.moved), std::to_string(batch.left),
              std::string(batch.done ? "true" : "false"), batch.staying});
  PG_RETURN_NULL();
}
