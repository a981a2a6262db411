#include "triggers/trigger_def.hpp"

#include <algorithm>
#include <cctype>

#include "core/error.hpp"
#include "core/naming.hpp"
#include "core/pg_free.hpp"

namespace pgdb::triggers {

namespace {

struct EventName {
  Event event;
  std::string_view name;
};
constexpr EventName event_names[] = {{event_insert, "INSERT"},
                                     {event_update, "UPDATE"},
                                     {event_delete, "DELETE"},
                                     {event_truncate, "TRUNCATE"}};

std::string upper(std::string_view text) {
  std::string result(text);
  std::transform(result.begin(), result.end(), result.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return result;
}

}  // namespace

unsigned parse_events(const std::vector<std::string>& operations, std::string_view argument_name) {
  if (operations.empty())
    throw Error(sqlstate::invalid_parameter_value,
                std::string(argument_name) + " must name at least one operation", {},
                "Use INSERT, UPDATE, DELETE or TRUNCATE.");
  unsigned events = 0;
  for (const std::string& operation : operations) {
    std::string wanted = upper(operation);
    auto found = std::find_if(std::begin(event_names), std::end(event_names),
                              [&](const EventName& e) { return e.name == wanted; });
    if (found == std::end(event_names))
      throw Error(sqlstate::invalid_parameter_value,
                  "unknown operation \"" + operation + "\" in " + std::string(argument_name), {},
                  "Use INSERT, UPDATE, DELETE or TRUNCATE.");
    if (events & found->event)
      throw Error(sqlstate::invalid_parameter_value,
                  "operation " + wanted + " is listed twice in " + std::string(argument_name));
    events |= found->event;
  }
  return events;
}

std::string events_sql(unsigned events) {
  std::string sql;
  for (const EventName& e : event_names) {
    if (!(events & e.event)) continue;
    if (!sql.empty()) sql += " OR ";
    sql += e.name;
  }
  return sql;
}

namespace {

std::string one_trigger_sql(const TriggerDef& def, KeywordLookup keywords) {
  std::string sql = "CREATE OR REPLACE TRIGGER " + quote_identifier(def.name, keywords);
  sql += def.timing == Timing::before ? " BEFORE " : " AFTER ";
  sql += events_sql(def.events);
  sql += " ON " + quote_identifier(def.table_schema, keywords) + "." +
         quote_identifier(def.table_name, keywords);
  sql += def.level == Level::row ? " FOR EACH ROW" : " FOR EACH STATEMENT";
  if (def.condition) sql += " WHEN (" + *def.condition + ")";
  sql += " EXECUTE FUNCTION " + quote_identifier(def.function_schema, keywords) + "." +
         quote_identifier(def.function_name, keywords) + "(";
  for (std::size_t i = 0; i < def.args.size(); ++i) {
    if (i > 0) sql += ", ";
    sql += quote_literal(def.args[i]);
  }
  sql += ")";
  return sql;
}

}  // namespace

std::string create_trigger_sql(const TriggerDef& def, KeywordLookup keywords) {
  std::string sql = one_trigger_sql(def, keywords);
  if (def.truncate_companion.empty()) return sql;
  TriggerDef companion = def;
  companion.name = def.truncate_companion;
  companion.timing = Timing::after;
  companion.level = Level::statement;
  companion.events = event_truncate;
  companion.condition.reset();
  companion.args = def.companion_args;
  companion.truncate_companion.clear();
  return sql + ";\n" + one_trigger_sql(companion, keywords);
}

std::string default_trigger_name(std::string_view kind, std::string_view table_name) {
  std::string name = "pgdb_";
  name += kind;
  name += "_";
  name += table_name;
  return bounded_identifier(name);
}

std::string companion_trigger_name(std::string_view name) {
  return bounded_identifier(std::string(name) + "_truncate");
}

}  // namespace pgdb::triggers
