// Scheduling from a database that is not pg_cron's: the requests a transaction makes are answered
// at the call and carried out when it commits (src/pg/cron.cpp). The decisions about them are
// PG-free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgdb {

enum class CronOperation { schedule, unschedule };

// Longest job name, schedule and command a request may carry (they travel to the background
// worker in shared memory); longer ones are refused when asked for.
inline constexpr std::size_t cron_max_name_bytes = 1024;
inline constexpr std::size_t cron_max_schedule_bytes = 1024;
inline constexpr std::size_t cron_max_command_bytes = 1024 * 1024;

struct CronRequestKey {
  std::uint32_t role;
  std::string job_name;
};

// Of requests on jobs keyed by (role, job name), in the order they were made, the positions of
// those that decide the outcome: the last one per key, in the order of those last ones. A schedule
// creates or replaces the job and an unschedule removes whatever there is, so an earlier request
// on the same key leaves nothing the last one does not decide.
std::vector<std::size_t> deciding_requests(const std::vector<CronRequestKey>& keys);

// Whether the job of key exists once this transaction's requests (in the order they were made)
// are carried out, as far as they decide it: the last request on key says so (a schedule makes
// it, an unschedule removes it); nullopt when none was made on key (the job is as pg_cron has it).
std::optional<bool> job_after_requests(const std::vector<CronRequestKey>& keys,
                                       const std::vector<CronOperation>& operations,
                                       const CronRequestKey& key);

// The HINT of a refusal by pg_cron's database (42501): the GRANTs a superuser runs there for
// the role. Identifiers come quoted.
std::string cron_grant_hint(CronOperation operation, std::string_view quoted_cron_database,
                            std::string_view quoted_role);

}  // namespace pgdb
