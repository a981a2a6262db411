#include "cli/cli_args.hpp"

#include "core/pg_free.hpp"

namespace pgdb::cli {

namespace {

std::vector<std::string> split_tables(const std::string& list) {
  std::vector<std::string> names;
  std::string::size_type start = 0;
  while (true) {
    std::string::size_type comma = list.find(',', start);
    std::string name = list.substr(start, comma == std::string::npos ? comma : comma - start);
    if (name.empty()) throw UsageError("--tables: an empty table name in \"" + list + "\"");
    names.push_back(name);
    if (comma == std::string::npos) return names;
    start = comma + 1;
  }
}

// Whether arg is option name: "--name", "--name=value", or for a short one "-o", "-ovalue".
bool is_option(const std::string& arg, const std::string& name) {
  if (arg == name) return true;
  if (name.size() == 2) return arg.size() > 2 && arg.compare(0, 2, name) == 0;
  return arg.compare(0, name.size() + 1, name + "=") == 0;
}

// The value of option name at args[i], attached or the next argument (i then moves past it).
std::string option_value(const std::vector<std::string>& args, std::size_t& i,
                         const std::string& name) {
  const std::string& arg = args[i];
  if (arg != name) return arg.substr(name.size() == 2 ? 2 : name.size() + 1);
  if (i + 1 >= args.size()) throw UsageError(name + " needs a value");
  return args[++i];
}

}  // namespace

Command parse_args(const std::vector<std::string>& args) {
  Command command;
  if (args.empty()) throw UsageError("no subcommand given");
  const std::string& first = args[0];
  if (first == "-h" || first == "--help" || first == "help") return command;
  if (first == "-V" || first == "--version") {
    command.subcommand = Subcommand::version;
    return command;
  }
  if (first == "list")
    command.subcommand = Subcommand::list;
  else if (first == "verify")
    command.subcommand = Subcommand::verify;
  else if (first == "sql")
    command.subcommand = Subcommand::sql;
  else
    throw UsageError("unknown subcommand \"" + first + "\"");

  bool options_end = false;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (options_end || arg.empty() || arg[0] != '-' || arg == "-") {
      command.files.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_end = true;
    } else if (arg == "-h" || arg == "--help") {
      return Command{};
    } else if (command.subcommand == Subcommand::sql && is_option(arg, "-o")) {
      if (command.output) throw UsageError("-o given twice");
      command.output = option_value(args, i, "-o");
      if (command.output->empty()) throw UsageError("-o needs a file name");
    } else if (command.subcommand == Subcommand::sql && is_option(arg, "--output")) {
      if (command.output) throw UsageError("-o given twice");
      command.output = option_value(args, i, "--output");
      if (command.output->empty()) throw UsageError("-o needs a file name");
    } else if (command.subcommand == Subcommand::sql && is_option(arg, "--schema")) {
      if (command.schema) throw UsageError("--schema given twice");
      command.schema = option_value(args, i, "--schema");
      if (command.schema->empty()) throw UsageError("--schema needs a schema name");
    } else if (command.subcommand == Subcommand::sql && is_option(arg, "--tables")) {
      for (std::string& name : split_tables(option_value(args, i, "--tables")))
        command.tables.push_back(std::move(name));
    } else {
      throw UsageError("unknown option \"" + arg + "\" for " + first);
    }
  }
  if (command.files.empty()) throw UsageError(first + " needs an archive file");
  if (command.subcommand == Subcommand::sql && command.files.size() > 1)
    throw UsageError("sql reads one archive at a time");
  return command;
}

std::string usage_text() {
  return "pgdb-archive reads pgdb_tools archive files (.pgdbsnap) without a server.\n"
         "\n"
         "Usage:\n"
         "  pgdb-archive list FILE...      the snapshot and its tables (rows, bytes, content "
         "hash)\n"
         "  pgdb-archive verify FILE...    every checksum and the file's SHA-256\n"
         "  pgdb-archive sql FILE [-o OUT] [--schema S] [--tables a,b]\n"
         "                                 a SQL script (CREATE TABLE + COPY) for psql\n"
         "  pgdb-archive --help | --version\n"
         "\n"
         "Options of sql:\n"
         "  -o, --output OUT   write the script to OUT (only once the archive verified; a partial\n"
         "                     file is removed); default: standard output\n"
         "  --schema S         create every table in schema S instead of its own\n"
         "  --tables a,b       only these tables (name or schema.name)\n"
         "\n"
         "Exit status: 0 all good; 1 an archive is damaged, truncated, not an archive or of a\n"
         "newer format; 2 wrong command line; 3 a file could not be opened, read or written.\n"
         "See docs/archive-cli.md.\n";
}

}  // namespace pgdb::cli
