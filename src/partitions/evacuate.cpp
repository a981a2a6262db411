#include "partitions/evacuate.hpp"

#include "core/error.hpp"
#include "core/pg_free.hpp"

namespace pgdb::partitions {

namespace {

std::string rows_text(std::int64_t rows) {
  return std::to_string(rows) + (rows == 1 ? " row" : " rows");
}

std::string default_table(const SetFacts& facts, const Quoting& quoting) {
  return quoting.table(facts.settings.schema, facts.default_partition.value().name);
}

std::string bound_of(const SetFacts& facts, Key key) {
  return bound_sql(key, facts.type, facts.settings.time_zone);
}

}  // namespace

std::string oldest_sql(const SetFacts& facts, const EvacuationWindow& window,
                       std::optional<Key> from, const Quoting& quoting) {
  std::string column = quoting.ident(facts.settings.control);
  std::string where = column + " IS NOT NULL";
  std::optional<Key> lower = from ? from : window.from;
  if (lower) where += " AND " + column + " >= " + bound_of(facts, *lower);
  if (window.until) where += " AND " + column + " < " + bound_of(facts, *window.until);
  if (is_time(facts.type))
    where += " AND " + column + " > '-infinity' AND " + column + " < 'infinity'";
  return "SELECT pg_catalog.min(" + column + "), pg_catalog.max(" + column + ") FROM " +
         default_table(facts, quoting) + " WHERE " + where;
}

std::string staying_sql(const SetFacts& facts, const EvacuationWindow& window,
                        const Quoting& quoting) {
  std::string column = quoting.ident(facts.settings.control);
  std::string sql =
      "SELECT pg_catalog.count(*), pg_catalog.count(*) FILTER (WHERE " + column + " IS NULL), ";
  sql += window.from ? "pg_catalog.count(*) FILTER (WHERE " + column + " < " +
                           bound_of(facts, *window.from) + "), "
                     : "0::int8, ";
  sql += window.until ? "pg_catalog.count(*) FILTER (WHERE " + column +
                            " >= " + bound_of(facts, *window.until) + ")"
                      : "0::int8";
  return sql + " FROM " + default_table(facts, quoting);
}

EvacuationWindow evacuation_window(const SetFacts& facts, const Steps& steps) {
  EvacuationWindow window;
  SetConfig config = config_for(facts, PassOptions{});
  // Retention retires partitions wholly below the cutoff: the period holding it is kept.
  if (config.retention != Retention::none && config.retention_cutoff)
    window.from = steps.floor(*config.retention_cutoff);
  if (!is_time(facts.type)) {
    if (std::optional<IntegerFrontier> frontier =
            integer_frontier(steps, facts.partitions, facts.settings.premake);
        frontier && frontier->outlier_from != key_max)
      window.until = frontier->outlier_from;
  }
  return window;
}

std::vector<Action> plan_evacuation(const SetFacts& facts, const Steps& steps, Key oldest,
                                    const PlanLookups& lookups) {
  SetConfig config;
  config.parent = facts.settings.name;
  config.premake = 0;
  config.start = oldest;
  config.default_partition = false;
  SetState state;
  state.partitions = facts.partitions;
  state.has_default = true;
  if (lookups.name_taken) state.name_taken = lookups.name_taken;
  if (lookups.check_for_interrupts) state.check_for_interrupts = lookups.check_for_interrupts;
  return plan_maintenance(config, steps, state, oldest);
}

std::optional<Key> after_period(const Steps& steps, Key key) {
  Key upper = steps.next(steps.floor(key));
  if (upper == key_max) return std::nullopt;
  return upper;
}

std::optional<std::string> staying_notice(const StayingRows& staying, const std::string& parent,
                                          const std::string& control,
                                          const std::optional<std::string>& from_shown,
                                          const std::optional<std::string>& until_shown) {
  if (staying.total <= 0) return std::nullopt;
  std::vector<std::string> why;
  if (staying.null_control > 0)
    why.push_back(rows_text(staying.null_control) + " with a NULL " + control);
  if (staying.expired > 0)
    why.push_back(rows_text(staying.expired) + " before " + from_shown.value_or("the cutoff") +
                  ", in periods that retention has removed");
  if (staying.outliers > 0)
    why.push_back(rows_text(staying.outliers) + " at or past " +
                  until_shown.value_or("the runway") +
                  ", more than one runway beyond the newest partition (maintenance moves them "
                  "when the set reaches their period)");
  std::int64_t rest = staying.total - staying.null_control - staying.expired - staying.outliers;
  if (rest > 0) why.push_back(rows_text(rest) + " with an infinite " + control);
  std::string text = rows_text(staying.total) + (staying.total == 1 ? " stays" : " stay") +
                     " in the default partition of " + parent;
  for (std::size_t i = 0; i < why.size(); ++i) text += (i == 0 ? ": " : "; ") + why[i];
  return text;
}

std::string batch_notice(const std::string& parent, std::int64_t batch, std::int64_t moved,
                         std::int64_t left) {
  return "evacuate_default(" + parent + "): batch " + std::to_string(batch) + " moved " +
         rows_text(moved) + ", " + std::to_string(left) + " left in the default partition";
}

void check_batch_size(std::int64_t batch_size) {
  if (batch_size < 1)
    throw Error(sqlstate::invalid_parameter_value,
                "batch_size must be at least 1, not " + std::to_string(batch_size));
}

}  // namespace pgdb::partitions
