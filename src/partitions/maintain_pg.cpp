#include "partitions/maintain_pg.hpp"

#include "core/error.hpp"
#include "partitions/gather_pg.hpp"
#include "partitions/render.hpp"
#include "partitions/values_pg.hpp"
#include "pg/datum.hpp"
#include "pg/guard.hpp"
#include "pg/relation.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"
#include "pg/subtransaction.hpp"

namespace pgdb::partitions {

namespace {

// Runs one phase of the rendered steps (retiring or creating) and appends its outcomes.
class Executor {
 public:
  Executor(pg::Spi& spi, bool dry_run, std::vector<Outcome>& outcomes)
      : spi_(spi), dry_run_(dry_run), outcomes_(outcomes) {}

  void run(const RenderedStep& step) {
    if (step.refusal) throw *step.refusal;
    const Action& action = step.action;
    if (action.kind == Action::Kind::move_rows) {
      std::int64_t rows = dry_run_ ? count_rows(step) : move_rows(step);
      if (rows == 0) return;
      moved_ += rows;
      outcomes_.push_back({OutcomeKind::move_rows, action.name, moved_rows_detail(rows)});
      return;
    }
    bool filled = action.kind == Action::Kind::create && !outcomes_.empty() &&
                  outcomes_.back().kind == OutcomeKind::move_rows &&
                  outcomes_.back().partition == action.name;
    run_statements(filled ? step.attach_statements : step.statements);
    outcomes_.push_back({outcome_of(action.kind), action.name, step.detail});
  }

  std::int64_t moved() const { return moved_; }

 private:
  std::int64_t count_rows(const RenderedStep& step) {
    // not read-only: it must see the rows earlier steps of the same call moved
    spi_.execute(step.count_sql, {}, false);
    return spi_.get_int64(0, 0).value();
  }

  // The rows the last statement (DELETE ... RETURNING into INSERT) moved; none: the table built
  // for them goes again.
  std::int64_t move_rows(const RenderedStep& step) {
    std::uint64_t rows = 0;
    for (const std::string& sql : step.statements) rows = spi_.execute(sql);
    if (rows == 0) spi_.execute(step.discard_sql);
    return static_cast<std::int64_t>(rows);
  }

  void run_statements(const std::vector<std::string>& statements) {
    if (dry_run_) return;
    for (const std::string& sql : statements) spi_.execute(sql);
  }

  pg::Spi& spi_;
  bool dry_run_;
  std::vector<Outcome>& outcomes_;
  std::int64_t moved_ = 0;
};

// The retiring steps, then the creating ones, each phase in a subtransaction: a failed phase is
// rolled back and reported as one error outcome in place of its own.
void execute(pg::Spi& spi, const std::vector<RenderedStep>& steps, bool dry_run,
             std::vector<Outcome>& outcomes) {
  Executor executor(spi, dry_run, outcomes);
  for (bool retiring : {true, false}) {
    std::size_t done = outcomes.size();
    if (auto failure = pg::try_in_subtransaction([&] {
          for (const RenderedStep& step : steps) {
            pg::check_for_interrupts();
            if (retires(step.action) == retiring) executor.run(step);
          }
        })) {
      outcomes.resize(done);  // rolled back: those actions did not happen
      outcomes.push_back({OutcomeKind::error, {}, failure->summary()});
    }
  }
}

// The advisory lock class of partition sets, spelling "part": (class, the parent's OID).
constexpr std::int32_t set_lock_class = 0x70617274;

bool try_lock_set(pg::Spi& spi, Oid parent) {
  spi.execute_kept(
      "SELECT pg_catalog.pg_try_advisory_xact_lock($1, $2)",
      {pg::Param::int4(set_lock_class), pg::Param::int4(static_cast<std::int32_t>(parent))});
  return spi.get_bool(0, 0).value();
}

}  // namespace

std::int64_t run_steps(pg::Spi& spi, const std::vector<RenderedStep>& steps,
                       std::vector<Outcome>& outcomes) {
  Executor executor(spi, false, outcomes);
  for (const RenderedStep& step : steps) {
    pg::check_for_interrupts();
    executor.run(step);
  }
  return executor.moved();
}

void lock_set(pg::Spi& spi, Oid parent) {
  spi.execute_kept(
      "SELECT pg_catalog.pg_advisory_xact_lock($1, $2)",
      {pg::Param::int4(set_lock_class), pg::Param::int4(static_cast<std::int32_t>(parent))});
}

std::vector<Outcome> maintain(pg::Spi& spi, const RegisteredSet& set, bool dry_run,
                              PassOptions options) {
  // Checked here, inside the set's own subtransaction: a set whose table changed fails alone.
  require_registered_owner(set);
  const Settings& settings = set.settings;
  ControlType type = require_range_parent(spi, set.parent, set.table(), settings.control);
  // Everything a pass does runs as the table's owner in a restricted context, as VACUUM does:
  // triggers and constraints fired by moving rows must never run with the caller's rights (a
  // superuser, or the pg_cron job's role).
  pg::ActingAs as_table_owner(set.owner);
  // The one query that reads every partition (an integer set's highest value) costs enough to be
  // JIT-compiled, which over thousands of partitions takes longer than the rest of the pass.
  pg::set_in_scope("jit", "off");
  Width interval = parse_width_of(type, settings.interval_text, "partition_interval");
  std::unique_ptr<Steps> steps = make_steps(settings, type, interval);
  SetFacts facts = gather(spi, set, type, interval, *steps);
  PassPlan plan = plan_pass(facts, *steps, options, set.table().quoted(), lookups_for(set.parent));
  complete_facts(spi, set, facts, plan.actions, dry_run);
  std::vector<RenderedStep> rendered = render(facts, plan.actions, server_quoting());
  std::vector<Outcome> outcomes;
  if (plan.refusal)
    outcomes.push_back(error_outcome(sqlstate::object_not_in_prerequisite_state, *plan.refusal));
  execute(spi, rendered, dry_run, outcomes);
  return outcomes;
}

// The partitions of a set registered just now; at registration nothing may be left half done: a
// failed step fails the whole call.
int create_partitions(pg::Spi& spi, Oid parent, const pg::TableName& table, bool allow_retiring) {
  RegisteredSet set = load_sets(spi, parent).at(0);
  Datum started = clock_now();
  std::vector<Outcome> outcomes = maintain(spi, set, false, PassOptions{true, false});
  for (const Outcome& o : outcomes) {
    if (o.kind == OutcomeKind::error)
      throw Error(sqlstate::object_not_in_prerequisite_state,
                  "could not create the partitions of " + table.quoted(), o.detail);
    if (!allow_retiring && (o.kind == OutcomeKind::drop || o.kind == OutcomeKind::detach ||
                            o.kind == OutcomeKind::archive))
      throw Error(sqlstate::invalid_parameter_value,
                  "retention would " + std::string(outcome_name(o.kind)) + " partition " +
                      o.partition + " of " + table.quoted() + " at once",
                  "Its rows (" + o.detail + ") are older than the retention.",
                  "Use a longer retention, or none, for the conversion; nothing was changed.");
  }
  int created = count_of(outcomes, OutcomeKind::create);
  int moved = count_of(outcomes, OutcomeKind::move_rows);
  pg::notice("created " + std::to_string(created) + (created == 1 ? " partition" : " partitions") +
             " of " + table.quoted() +
             (moved ? ", moving rows out of the default partition into " + std::to_string(moved) +
                          " of them"
                    : ""));
  record_run(spi, set.settings, started, created, std::nullopt);
  return created;
}

Report maintain_isolated(pg::Spi& spi, const RegisteredSet& set, bool dry_run, bool force) {
  Report report{set.table().quoted(), {}, std::nullopt};
  if (!try_lock_set(spi, set.parent)) {
    report.error = "55P03: " + report.parent +
                   " is being maintained by another session; skipped (run it again later)";
    return report;
  }
  Datum started = clock_now();
  if (auto failure = pg::try_in_subtransaction([&] {
        report.outcomes = maintain(spi, set, dry_run, PassOptions{false, force});
      }))
    report.error = failure->summary();
  if (!dry_run)
    record_run(spi, set.settings, started, recorded_actions(report.outcomes),
               recorded_error(report.outcomes, report.error));
  return report;
}

}  // namespace pgdb::partitions
