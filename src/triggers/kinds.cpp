#include "triggers/kinds.hpp"

#include <algorithm>
#include <cctype>
#include <tuple>
#include <vector>

#include "core/error.hpp"
#include "core/naming.hpp"
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

std::string require_column(const Target& table, const std::string& column,
                           const ColumnTypeLookup& column_type) {
  std::optional<std::string> type = column_type(column);
  if (!type)
    throw Error(sqlstate::undefined_column,
                "column \"" + column + "\" of table " + table.qualified + " does not exist");
  return *type;
}

void require_column_type(const Target& table, const std::string& column,
                         const ColumnTypeLookup& column_type,
                         std::initializer_list<std::string_view> accepted,
                         std::string_view purpose) {
  std::string type = require_column(table, column, column_type);
  for (std::string_view ok : accepted) {
    if (type == ok) return;
  }
  std::string list;
  for (std::string_view ok : accepted) list += (list.empty() ? "" : ", ") + std::string(ok);
  throw Error("42804",
              "column \"" + column + "\" of table " + table.qualified + " is of type " + type +
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

void build_read_only(Spec& spec, const Target& table, const ColumnTypeLookup& column_type,
                     TriggerDef& def) {
  const Json& columns = spec.arg("columns");
  const Json& except = spec.arg("except_columns");
  bool listed = columns.type == Json::Type::array;
  if (listed && except.type == Json::Type::array)
    throw Error(sqlstate::invalid_parameter_value,
                "read_only takes columns or except_columns, not both", {},
                "columns lists the read-only columns; except_columns makes every other column "
                "read-only.");
  if (listed && columns.items.empty())
    throw Error(sqlstate::invalid_parameter_value, "columns must name at least one column", {},
                "Pass NULL to make every column read-only.");
  std::vector<std::string> names = strings_of(listed ? columns : except);
  for (const std::string& name : names) require_column(table, name, column_type);
  def.events = event_update;
  def.function_name = "_trigger_read_only";
  def.args = {listed ? "only" : "except"};
  def.args.insert(def.args.end(), names.begin(), names.end());
}

void build_row_version(Spec& spec, const Target& table, const ColumnTypeLookup& column_type,
                       TriggerDef& def) {
  std::string column = spec.arg("column_name").text;
  require_column_type(table, column, column_type, {"smallint", "integer", "bigint"}, "row_version");
  def.events = event_update;
  def.function_name = "_trigger_row_version";
  def.args = {column, spec.arg("check_stale").boolean ? "check_stale" : "no_check"};
}

void build_soft_delete(Spec& spec, const Target& table, const ColumnTypeLookup& column_type,
                       TriggerDef& def) {
  std::string column = spec.arg("column_name").text;
  std::string type = require_column(table, column, column_type);
  const Json& value = spec.arg("value");
  std::string expression;  // what the column is set to, as SQL
  if (value.type == Json::Type::string) {
    expression = "value";
  } else if (type == "boolean") {
    expression = "false";
  } else if (type == "timestamp with time zone" || type == "timestamp without time zone" ||
             type == "date") {
    expression = "now";
  } else {
    throw Error(sqlstate::invalid_parameter_value,
                "soft_delete needs a value for column \"" + column + "\" of type " + type, {},
                "Pass value => '...' (cast to the column's type); it may be omitted only for "
                "boolean (false) and timestamp or date columns (now()).");
  }
  def.events = event_delete;
  def.function_name = "_trigger_soft_delete";
  def.args = {column, expression, value.type == Json::Type::string ? value.text : std::string()};
}

void build_fsm(Spec& spec, const Target& table, const ColumnTypeLookup& column_type,
               TriggerDef& def) {
  std::string column = spec.arg("column_name").text;
  require_column(table, column, column_type);
  const Json& transitions = spec.arg("transitions");
  if (transitions.members.empty())
    throw Error(sqlstate::invalid_parameter_value, "transitions must list at least one state", {},
                "For example {\"draft\": [\"published\"], \"published\": [\"archived\"]}.");
  for (const auto& [state, targets] : transitions.members) {
    bool strings = targets.type == Json::Type::array;
    std::string found(targets.type_name());
    for (const Json& target : targets.items) {
      if (strings && target.type != Json::Type::string)
        found = "an array holding a " + std::string(target.type_name());
      strings = strings && target.type == Json::Type::string;
    }
    if (!strings)
      throw Error(sqlstate::invalid_parameter_value,
                  "transitions[\"" + state + "\"] must be an array of states, not " + found, {},
                  "Map each state to the states it may move to: {\"draft\": [\"published\"]}.");
  }
  // The executor lets an UPDATE that leaves the state alone through itself. No generated
  // "OLD.col IS DISTINCT FROM NEW.col" in WHEN: its = operator would be looked up in the creating
  // role's search_path, where one planted in public could be what every later UPDATE runs.
  def.events = event_update;
  def.function_name = "_trigger_fsm";
  def.args = {column, to_json_text(transitions)};
}

void build_search_vector(Spec& spec, const Target& table, const ColumnTypeLookup& column_type,
                         TriggerDef& def) {
  std::string column = spec.arg("column_name").text;
  require_column_type(table, column, column_type, {"tsvector"}, "search_vector");
  const Json& columns = spec.arg("columns");
  if (columns.members.empty())
    throw Error(sqlstate::invalid_parameter_value, "columns must name at least one column", {},
                "Map each text column to a weight: {\"title\": \"A\", \"body\": \"B\"}.");
  def.args = {column, spec.arg("config").text};
  // jsonb keeps no key order: sources go by weight (A first), then by name, so the vector's
  // positions do not depend on how the object was written.
  auto sources = columns.members;
  std::sort(sources.begin(), sources.end(), [](const auto& a, const auto& b) {
    return std::tie(a.second.text, a.first) < std::tie(b.second.text, b.first);
  });
  for (const auto& [source, weight] : sources) {
    bool valid_weight = weight.type == Json::Type::string && weight.text.size() == 1 &&
                        weight.text[0] >= 'A' && weight.text[0] <= 'D';
    if (!valid_weight)
      throw Error(sqlstate::invalid_parameter_value,
                  "weight of column \"" + source + "\" must be \"A\", \"B\", \"C\" or \"D\"");
    require_column_type(table, source, column_type, {"text", "character varying", "character"},
                        "search_vector");
    def.args.push_back(source);
    def.args.push_back(weight.text);
  }
  def.events = event_insert | event_update;
  def.function_name = "_trigger_search_vector";
}

// history: an AFTER trigger writing one event per row (per statement for TRUNCATE) into the
// history table, in the table's schema. Arguments: that schema (also for partitions in other
// schemas), the history table, format, changed_only or all, then the excluded columns. TRUNCATE
// with row operations adds a statement-level companion (trigger_def.hpp).
void build_history(Spec& spec, const Target& table, const ColumnTypeLookup& column_type,
                   TriggerDef& def) {
  unsigned events = parse_events(strings_of(spec.arg("operations")), "operations");
  if (events == event_truncate) {
    if (spec.condition)
      throw Error(sqlstate::invalid_parameter_value,
                  "a TRUNCATE history trigger cannot have a condition", {},
                  "A TRUNCATE trigger fires once per statement, with no row to test.");
    def.level = Level::statement;
  }
  std::string format = spec.arg("format").text;
  if (format != "row" && format != "diff")
    throw Error(sqlstate::invalid_parameter_value,
                "format must be \"row\" or \"diff\", not \"" + format + "\"");
  const Json& history = spec.arg("history_table");
  std::string history_table = history.type == Json::Type::string
                                  ? history.text
                                  : bounded_identifier(table.table + "_history");
  if (history_table.empty() || history_table.size() > max_identifier_bytes)
    throw Error(sqlstate::invalid_parameter_value,
                "history_table must be a table name of 1 to 63 bytes", {},
                "It names a table in the schema of " + table.qualified + ".");
  if (history_table == table.table)
    throw Error(sqlstate::invalid_parameter_value,
                "history_table must not be the tracked table itself");
  std::vector<std::string> excluded = strings_of(spec.arg("exclude_columns"));
  std::sort(excluded.begin(), excluded.end());
  excluded.erase(std::unique(excluded.begin(), excluded.end()), excluded.end());
  for (const std::string& column : excluded) require_column(table, column, column_type);
  spec.args.set("history_table", Json::from_string(history_table));
  spec.args.set("operations", Json::from_strings(event_names(events)));
  spec.args.set("exclude_columns", Json::from_strings(excluded));
  def.timing = Timing::after;
  def.events = events;
  def.function_name = "_trigger_history";
  def.args = {table.schema, history_table, format,
              spec.arg("changed_only").boolean ? "changed_only" : "all"};
  def.args.insert(def.args.end(), excluded.begin(), excluded.end());
  if ((events & event_truncate) && events != event_truncate) {
    // The row operations' trigger, and TRUNCATE's statement-level companion naming it (so that
    // ignore() of the managed trigger reaches both); the condition tests rows only.
    def.events = events & ~static_cast<unsigned>(event_truncate);
    def.truncate_companion = companion_trigger_name(def.name);
    def.companion_args = {table.schema, history_table, format, "companion", def.name};
  }
}

std::string upper_case(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

void build_manage_trigger(Spec& spec, TriggerDef& def) {
  std::string timing = upper_case(spec.arg("timing").text);
  if (timing != "BEFORE" && timing != "AFTER")
    throw Error(sqlstate::invalid_parameter_value,
                "timing must be BEFORE or AFTER, not \"" + spec.arg("timing").text + "\"", {},
                "INSTEAD OF triggers belong on views, which pgdb_tools does not manage.");
  std::string level = upper_case(spec.arg("level").text);
  if (level != "ROW" && level != "STATEMENT")
    throw Error(sqlstate::invalid_parameter_value,
                "level must be ROW or STATEMENT, not \"" + spec.arg("level").text + "\"");
  unsigned events = parse_events(strings_of(spec.arg("events")), "events");
  if ((events & event_truncate) && level == "ROW")
    throw Error(sqlstate::invalid_parameter_value, "TRUNCATE needs level => 'STATEMENT'");
  spec.args.set("timing", Json::from_string(timing));
  spec.args.set("level", Json::from_string(level));
  spec.args.set("events", Json::from_strings(event_names(events)));
  def.timing = timing == "BEFORE" ? Timing::before : Timing::after;
  def.level = level == "ROW" ? Level::row : Level::statement;
  def.events = events;
  def.function_name = "_trigger_managed";
  // The dispatcher calls the user's function (resolved by the boundary to "schema.name()"),
  // handing it the user's own arguments.
  def.args = {spec.arg("function").text};
  for (const std::string& arg : strings_of(spec.arg("args"))) def.args.push_back(arg);
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
  } else if (spec.kind == "read_only") {
    build_read_only(spec, table, column_type, def);
  } else if (spec.kind == "row_version") {
    build_row_version(spec, table, column_type, def);
  } else if (spec.kind == "soft_delete") {
    build_soft_delete(spec, table, column_type, def);
  } else if (spec.kind == "search_vector") {
    build_search_vector(spec, table, column_type, def);
  } else if (spec.kind == "manage_trigger") {
    build_manage_trigger(spec, def);
  } else if (spec.kind == "history") {
    build_history(spec, table, column_type, def);
  } else if (spec.kind == "fsm") {
    build_fsm(spec, table, column_type, def);
  } else {
    throw Error(sqlstate::internal_error, "no trigger builder for kind " + spec.kind);
  }
  return def;
}

}  // namespace pgdb::triggers
