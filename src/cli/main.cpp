// pgdb-archive: lists, verifies and turns into SQL the archive files of pgdb_tools, without a
// server (docs/archive-cli.md).
#include <csignal>
#include <iostream>

#include "cli/cli_args.hpp"
#include "cli/commands.hpp"
#include "core/pg_free.hpp"

int main(int argc, char** argv) {
  // A reader that goes away (pgdb-archive sql x | head) is a write error, not a signal.
  std::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> args(argv + 1, argv + argc);
  pgdb::cli::Command command;
  try {
    command = pgdb::cli::parse_args(args);
  } catch (const pgdb::cli::UsageError& e) {
    std::cerr << "pgdb-archive: " << e.what() << "\n"
              << "Try \"pgdb-archive --help\".\n";
    return pgdb::cli::exit_usage;
  }
  int status = pgdb::cli::run_command(command, std::cout, std::cerr);
  std::cout.flush();
  if (!std::cout && status == pgdb::cli::exit_ok) {
    std::cerr << "pgdb-archive: could not write to standard output\n";
    return pgdb::cli::exit_io;
  }
  return status;
}
