// The subcommands of pgdb-archive: list, verify and sql (docs/archive-cli.md). Each returns its
// exit status (cli_args.hpp) and reports on out and err; none lets an exception escape.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "cli/cli_args.hpp"

namespace pgdb::cli {

// "2026-12-02 14:33:19.123456+00" for microseconds since 1970-01-01 00:00 UTC.
std::string utc_timestamp(std::int64_t microseconds);

int run_command(const Command& command, std::ostream& out, std::ostream& err);

}  // namespace pgdb::cli
