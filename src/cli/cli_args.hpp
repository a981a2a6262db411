// The command line of pgdb-archive (docs/archive-cli.md): which subcommand, on which files, with
// which options. PG-free and without side effects, so every refusal is unit-tested.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace pgdb::cli {

// Exit statuses, as documented in docs/archive-cli.md.
inline constexpr int exit_ok = 0;
inline constexpr int exit_bad_archive = 1;  // damaged, truncated, not an archive, or newer
inline constexpr int exit_usage = 2;        // the command line is wrong
inline constexpr int exit_io = 3;           // a file could not be opened, read or written

enum class Subcommand { help, version, list, verify, sql };

struct Command {
  Subcommand subcommand = Subcommand::help;
  std::vector<std::string> files;
  std::optional<std::string> output;  // sql -o: written whole or not at all
  std::optional<std::string> schema;  // sql --schema: every table into this schema
  std::vector<std::string> tables;    // sql --tables: only these (name or schema.name)
};

// A command line that cannot run: the message for stderr, before the usage line.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// args without the program name. Throws UsageError.
Command parse_args(const std::vector<std::string>& args);

// The text --help prints.
std::string usage_text();

}  // namespace pgdb::cli
