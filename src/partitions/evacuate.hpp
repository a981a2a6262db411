// Emptying a set's default partition (evacuate_default): which of its rows may leave it, the plan
// that gives the period of the oldest such row its partitions and moves that period's rows, and
// what the calls report. PG-free; the executor is evacuate_pg.cpp.
//
// A period moves whole, in one transaction: PostgreSQL attaches a partition only once the default
// holds none of its rows, so a batch is one or more whole periods (at least one, however many rows
// it holds), oldest first, until batch_size rows have moved.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "partitions/pass.hpp"
#include "partitions/render.hpp"

namespace pgdb::partitions {

// The rows that may leave the default: control values in [from, until). Below `from` lie periods
// that retention has removed (their rows stay, and are reported); at or past `until` (integer
// sets only) values more than one runway beyond the newest partition, outliers that maintenance
// does not treat as the set's position either: given partitions of their own, they would become
// it (see integer_frontier), so they stay until maintenance reaches them. The executor computes
// the window again after each period it moves, so ids that follow on from the partitions just
// made move too: only a gap of more than one runway stops an evacuation.
struct EvacuationWindow {
  std::optional<Key> from;
  std::optional<Key> until;
};

EvacuationWindow evacuation_window(const SetFacts& facts, const Steps& steps);

// The actions for the period that holds `oldest` (a control value inside the window): for each
// piece of it no partition covers, move its rows out of the default and create (attach) it.
// Retires nothing and creates no default partition.
std::vector<Action> plan_evacuation(const SetFacts& facts, const Steps& steps, Key oldest,
                                    const PlanLookups& lookups);

// Where the search for the next period starts once the period holding `key` is done; nullopt when
// that period reaches the end of the type.
std::optional<Key> after_period(const Steps& steps, Key key);

// SELECT min(control), max(control) of the default's rows inside the window at or past `from`
// (nullopt: from the window's start): the oldest and the newest row left to move, NULL when none
// is. Infinite timestamps are left out: no finite period holds them.
std::string oldest_sql(const SetFacts& facts, const EvacuationWindow& window,
                       std::optional<Key> from, const Quoting& quoting);

// SELECT the default's rows: all, with a NULL control, before window.from, at or past
// window.until (four int8 columns, as StayingRows holds them).
std::string staying_sql(const SetFacts& facts, const EvacuationWindow& window,
                        const Quoting& quoting);

// The rows that stay in the default once every row that may leave has left.
struct StayingRows {
  std::int64_t total = 0;
  std::int64_t null_control = 0;  // a NULL control value: no range partition takes it
  std::int64_t expired = 0;       // below window.from
  std::int64_t outliers = 0;      // at or past window.until
  // the rest: infinite timestamps, which only a partition ending at MAXVALUE takes
};

// The NOTICE saying which rows stay and why; nullopt when none do. parent is quoted, bounds are
// shown as shown_bound does.
std::optional<std::string> staying_notice(const StayingRows& staying, const std::string& parent,
                                          const std::string& control,
                                          const std::optional<std::string>& from_shown,
                                          const std::optional<std::string>& until_shown);

// "evacuate_default(app.events): batch 2 moved 10000 rows, 2500 left in the default partition"
std::string batch_notice(const std::string& parent, std::int64_t batch, std::int64_t moved,
                         std::int64_t left);

// 22023 unless batch_size is at least 1.
void check_batch_size(std::int64_t batch_size);

}  // namespace pgdb::partitions
