#include "core/error.hpp"

#include <cstring>

#include "core/pg_free.hpp"

namespace pgdb {

bool is_valid_sqlstate(std::string_view code) noexcept {
  if (code.size() != 5) return false;
  for (char c : code) {
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) return false;
  }
  return true;
}

bool is_error_sqlstate(std::string_view code) noexcept {
  if (!is_valid_sqlstate(code)) return false;
  std::string_view error_class = code.substr(0, 2);
  return error_class != "00" && error_class != "01" && error_class != "02";
}

bool stops_the_call(std::string_view code) noexcept {
  if (!is_error_sqlstate(code)) return false;
  std::string_view error_class = code.substr(0, 2);
  return error_class == "57" || error_class == "53" || code == "P0004";
}

Error::Error(std::string_view sqlstate, const std::string& message, std::string detail,
             std::string hint)
    : std::runtime_error(message), detail_(std::move(detail)), hint_(std::move(hint)) {
  std::string_view code = is_error_sqlstate(sqlstate) ? sqlstate : sqlstate::internal_error;
  std::memcpy(sqlstate_, code.data(), 5);
  sqlstate_[5] = '\0';
}

}  // namespace pgdb
