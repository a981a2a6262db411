#include "core/cron_requests.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <optional>
#include <vector>

namespace pgdb {
namespace {

using Positions = std::vector<std::size_t>;

TEST(CronRequests, TheLastRequestPerRoleAndJobDecides) {
  EXPECT_EQ(deciding_requests({}), Positions{});
  EXPECT_EQ(deciding_requests({{10, "a"}}), Positions{0});
  // schedule a, schedule b, unschedule a: b, then the removal of a
  EXPECT_EQ(deciding_requests({{10, "a"}, {10, "b"}, {10, "a"}}), (Positions{1, 2}));
  // the same name for two roles is two jobs
  EXPECT_EQ(deciding_requests({{10, "a"}, {11, "a"}}), (Positions{0, 1}));
  EXPECT_EQ(deciding_requests({{10, "a"}, {10, "a"}, {10, "a"}}), Positions{2});
  // names differ by case or trailing bytes: different jobs
  EXPECT_EQ(deciding_requests({{10, "a"}, {10, "A"}, {10, "a "}}), (Positions{0, 1, 2}));
}

TEST(CronRequests, TheLastRequestOnAJobSaysWhetherItExistsAtCommit) {
  using Op = CronOperation;
  EXPECT_EQ(job_after_requests({}, {}, {10, "a"}), std::nullopt);
  EXPECT_EQ(job_after_requests({{10, "a"}}, {Op::schedule}, {10, "a"}), true);
  EXPECT_EQ(job_after_requests({{10, "a"}}, {Op::unschedule}, {10, "a"}), false);
  // schedule then unschedule: gone; unschedule then schedule: there
  EXPECT_EQ(job_after_requests({{10, "a"}, {10, "a"}}, {Op::schedule, Op::unschedule}, {10, "a"}),
            false);
  EXPECT_EQ(job_after_requests({{10, "a"}, {10, "a"}}, {Op::unschedule, Op::schedule}, {10, "a"}),
            true);
  // requests on other jobs (another name, another role) say nothing of this one
  EXPECT_EQ(job_after_requests({{10, "b"}, {11, "a"}}, {Op::schedule, Op::schedule}, {10, "a"}),
            std::nullopt);
  EXPECT_EQ(job_after_requests({{10, "a"}, {10, "b"}}, {Op::schedule, Op::unschedule}, {10, "a"}),
            true);
}

TEST(CronRequests, GrantHintNamesTheFunctionTheOperationNeeds) {
  EXPECT_EQ(cron_grant_hint(CronOperation::schedule, "cron_db", "\"App\""),
            "A superuser runs in database cron_db: GRANT USAGE ON SCHEMA cron TO \"App\"; "
            "GRANT EXECUTE ON FUNCTION cron.schedule_in_database(text, text, text, text, text, "
            "boolean) TO \"App\";");
  EXPECT_EQ(cron_grant_hint(CronOperation::unschedule, "cron_db", "app"),
            "A superuser runs in database cron_db: GRANT USAGE ON SCHEMA cron TO app; "
            "GRANT EXECUTE ON FUNCTION cron.unschedule(bigint) TO app;");
}

}  // namespace
}  // namespace pgdb
