#include "partitions/settings.hpp"

#include <charconv>

#include "core/error.hpp"
#include "core/pg_free.hpp"
#include "partitions/pass.hpp"

namespace pgdb::partitions {

std::int64_t parse_width(const std::string& text, const char* argument) {
  std::int64_t value = 0;
  auto [end, problem] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (problem == std::errc::result_out_of_range && end == text.data() + text.size() &&
      text.front() != '-')
    throw Error(numeric_value_out_of_range,
                std::string(argument) + " \"" + text + "\" is out of range for bigint");
  if (problem != std::errc() || end != text.data() + text.size() || value <= 0)
    throw Error(sqlstate::invalid_parameter_value,
                std::string(argument) +
                    " must be a positive integer for an integer column, not \"" + text + "\"",
                {}, "For example '100000'.");
  return value;
}

std::int64_t parse_integer_start(const std::string& text, ControlType type,
                                 const std::string& quoted_column) {
  std::int64_t value = 0;
  auto [end, problem] = std::from_chars(text.data(), text.data() + text.size(), value);
  bool whole = end == text.data() + text.size();
  if (problem == std::errc::result_out_of_range && whole)
    throw Error(numeric_value_out_of_range,
                "start_at \"" + text + "\" is out of range for the type of " + quoted_column);
  if (problem != std::errc() || !whole)
    throw Error(sqlstate::invalid_parameter_value, "start_at \"" + text + "\" is not an integer");
  check_integer_setting("start_at", quoted_column, value, type_min(type), type_max(type));
  return value;
}

void check_modes(const Settings& settings) {
  check_premake(settings.premake);
  if (!retention_of(settings.retention_mode))
    throw Error(
        sqlstate::invalid_parameter_value,
        "retention_mode must be drop, detach or archive, not \"" + settings.retention_mode + "\"");
  if (settings.retention_mode == "archive" && !settings.archive_schema)
    throw Error(sqlstate::invalid_parameter_value, "retention_mode archive needs archive_schema");
  check_retention_limit(settings.retention_limit);
}

}  // namespace pgdb::partitions
