#include "core/cron_requests.hpp"

#include <algorithm>

#include "core/pg_free.hpp"

namespace pgdb {

std::vector<std::size_t> deciding_requests(const std::vector<CronRequestKey>& keys) {
  std::vector<std::size_t> positions;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    bool superseded =
        std::any_of(keys.begin() + static_cast<std::ptrdiff_t>(i) + 1, keys.end(),
                    [&](const CronRequestKey& later) {
                      return later.role == keys[i].role && later.job_name == keys[i].job_name;
                    });
    if (!superseded) positions.push_back(i);
  }
  return positions;
}

std::optional<bool> job_after_requests(const std::vector<CronRequestKey>& keys,
                                       const std::vector<CronOperation>& operations,
                                       const CronRequestKey& key) {
  for (std::size_t i = std::min(keys.size(), operations.size()); i-- > 0;)
    if (keys[i].role == key.role && keys[i].job_name == key.job_name)
      return operations[i] == CronOperation::schedule;
  return std::nullopt;
}

std::string cron_grant_hint(CronOperation operation, std::string_view quoted_cron_database,
                            std::string_view quoted_role) {
  std::string role(quoted_role);
  std::string hint = "A superuser runs in database " + std::string(quoted_cron_database) +
                     ": GRANT USAGE ON SCHEMA cron TO " + role + "; ";
  if (operation == CronOperation::schedule)
    hint +=
        "GRANT EXECUTE ON FUNCTION cron.schedule_in_database(text, text, text, text, text, "
        "boolean) TO " +
        role + ";";
  else
    hint += "GRANT EXECUTE ON FUNCTION cron.unschedule(bigint) TO " + role + ";";
  return hint;
}

}  // namespace pgdb
