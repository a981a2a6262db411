#include "triggers/kinds.hpp"

#include <vector>

#include "core/error.hpp"
#include "core/pg_free.hpp"

namespace pgdb::triggers {

namespace {

std::vector<std::string> strings_of(const Json& array) {
  std::vector<std::string> values;
  for (const Json& item : array.items) values.push_back(item.text);
  return values;
}

std::vector<std::string> event_names(unsigned events) {
  std::vector<std::string> names;
  for (auto [event, name] :
       {std::pair{event_insert, "INSERT"}, std::pair{event_update, "UPDATE"},
        std::pair{event_delete, "DELETE"}, std::pair{event_truncate, "TRUNCATE"}}) {
    if (events & event) names.emplace_back(name);
  }
  return names;
}

void build_protect(Spec& spec, TriggerDef& def) {
  unsigned events = parse_events(strings_of(spec.arg("operations")), "operations");
  if ((events & event_truncate) && events != event_truncate)
    throw Error(sqlstate::invalid_parameter_value,
                "protect cannot combine TRUNCATE with row operations in one trigger", {},
                "TRUNCATE needs a statement-level trigger: call protect once with "
                "operations => '{TRUNCATE}' and once for the other operations, with distinct "
                "names.");
  if (events == event_truncate) {
    if (spec.condition)
      throw Error(sqlstate::invalid_parameter_value,
                  "protect against TRUNCATE cannot have a condition", {},
                  "A TRUNCATE trigger fires once per statement, with no row to test.");
    def.level = Level::statement;
  }
  def.events = events;
  spec.args.set("operations", Json::from_strings(event_names(events)));
  def.function_name = "_trigger_protect";
  const Json& message = spec.arg("message");
  def.args = {message.type == Json::Type::string ? message.text : std::string()};
}

void require_column_type(const Target& table, const std::string& column,
                         const ColumnTypeLookup& column_type,
                         std::initializer_list<std::string_view> accepted,
                         std::string_view purpose) {
  std::optional<std::string> type = column_type(column);
  if (!type)
    throw Error(sqlstate::undefined_column,
                "column \"" + column + "\" of table " + table.qualified + " does not exist");
  for (std::string_view ok : accepted) {
    if (*type == ok) return;
  }
  std::string list;
  for (std::string_view ok : accepted) list += (list.empty() ? "" : ", ") + std::string(ok);
  throw Error("42804",
              "column \"" + column + "\" of table " + table.qualified + " is of type " + *type +
                  ", which " + std::string(purpose) + " cannot use",
              {}, "Use a column of type " + list + ".");
}

void build_updated_at(Spec& spec, const Target& table, const ColumnTypeLookup& column_type,
                      TriggerDef& def) {
  std::string column = spec.arg("column_name").text;
  require_column_type(table, column, column_type,
                      {"timestamp with time zone", "timestamp without time zone", "date"},
                      "updated_at");
  def.events = event_update | (spec.arg("on_insert").boolean ? event_insert : 0u);
  def.function_name = "_trigger_updated_at";
  def.args = {column};
}

}  // namespace

TriggerDef build_trigger(Spec& spec, const Target& table, const ColumnTypeLookup& column_type) {
  TriggerDef def;
  def.name = spec.name ? *spec.name : default_trigger_name(spec.kind, table.table);
  def.table_schema = table.schema;
  def.table_name = table.table;
  def.condition = spec.condition;
  def.function_schema = executor_schema;
  if (spec.kind == "protect") {
    build_protect(spec, def);
  } else if (spec.kind == "updated_at") {
    build_updated_at(spec, table, column_type, def);
  } else {
    throw Error(sqlstate::internal_error, "no trigger builder for kind " + spec.kind);
  }
  return def;
}

}  // namespace pgdb::triggers
