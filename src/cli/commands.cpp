#include "cli/commands.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>

#include "cli/archive_files.hpp"
#include "cli/sql_script.hpp"
#include "core/error.hpp"
#include "snapshots/archive_reader.hpp"
#include "core/pg_free.hpp"

namespace pgdb::cli {

namespace {

std::string source_name(const archive::TableEntry& table) {
  auto shown = [](std::string_view name) {
    return quote_identifier(name, [](std::string_view) { return KeywordKind::not_keyword; });
  };
  return shown(table.schema) + "." + shown(table.name);
}

std::string version_text(std::uint16_t minor) {
  return std::to_string(archive::format_major) + "." + std::to_string(minor);
}

// The message of a failure, its DETAIL (the byte offset, for a damaged file) appended.
std::string describe(const std::exception& e) {
  std::string text = e.what();
  if (const auto* error = dynamic_cast<const Error*>(&e); error && !error->detail().empty())
    text += " (" + error->detail() + ")";
  return text;
}

int status_of(const std::exception& e) {
  return dynamic_cast<const IoError*>(&e) != nullptr ? exit_io : exit_bad_archive;
}

// Runs body for each file, reporting a failure on err as "pgdb-archive: FILE: why"; the worst
// status wins.
int for_each_file(const Command& command, std::ostream& err,
                  const std::function<void(const std::string&)>& body) {
  int status = exit_ok;
  for (const std::string& file : command.files) {
    try {
      body(file);
    } catch (const std::exception& e) {
      err << "pgdb-archive: " << file << ": " << describe(e) << "\n";
      status = std::max(status, status_of(e));
    }
  }
  return status;
}

void list_file(const std::string& file, std::ostream& out) {
  FileSource source(file);
  archive::Listing listing = archive::read_listing(source);
  const archive::Manifest& m = listing.manifest;
  out << file << "\n"
      << "  snapshot     " << m.snapshot_name << "\n"
      << "  created      " << utc_timestamp(m.taken_at_us) << "\n"
      << "  format       " << version_text(listing.minor_version) << "\n"
      << "  compression  " << archive::compression_name(m.compression) << "\n"
      << "  server       PostgreSQL " << m.server_version << ", pgdb_tools " << m.extension_version
      << ", encoding " << m.encoding << "\n";
  if (m.database) out << "  database     " << *m.database << "\n";
  if (m.created_by) out << "  created by   " << *m.created_by << "\n";
  if (m.note) out << "  note         " << *m.note << "\n";
  std::vector<std::string> names;
  std::size_t width = 6;
  for (const archive::TableEntry& t : m.tables) {
    names.push_back(source_name(t));
    width = std::max(width, names.back().size());
  }
  out << "  tables       " << m.tables.size() << "\n";
  char line[256];
  std::snprintf(line, sizeof line, "    %-*s %12s %14s %14s  %s\n", static_cast<int>(width),
                "source", "rows", "bytes", "stored", "content hash");
  out << line;
  for (std::size_t i = 0; i < m.tables.size(); ++i) {
    const archive::TableSummary& s = listing.summary.tables.at(i);
    out << "    " << names[i] << std::string(width - names[i].size(), ' ');
    std::snprintf(line, sizeof line, " %12llu %14llu %14llu  ",
                  static_cast<unsigned long long>(s.rows),
                  static_cast<unsigned long long>(s.raw_bytes),
                  static_cast<unsigned long long>(s.stored_bytes));
    out << line << s.content_hash << "\n";
  }
}

void verify_file(const std::string& file, std::ostream& out) {
  FileSource source(file);
  OpenSslSha256 sha;
  archive::ArchiveReader reader(source, sha);
  const archive::Manifest& m = reader.manifest();
  out << file << ": snapshot " << m.snapshot_name << ", format "
      << version_text(reader.minor_version()) << ", " << m.tables.size() << " tables\n";
  while (std::optional<std::size_t> table = reader.next_table()) {
    while (!reader.next_data().empty()) {
    }
    const archive::TableSummary& counted = reader.counted(*table);
    out << "  ok  " << source_name(m.tables[*table]) << ": " << counted.rows << " rows, "
        << counted.raw_bytes << " bytes in " << counted.chunks << " chunks\n";
  }
  reader.finish();
  out << file << ": ok (every chunk checksum, the summary and the SHA-256 match)\n";
}

int sql_file(const Command& command, std::ostream& err) {
  const std::string& file = command.files.front();
  std::unique_ptr<FileSink> sink;
  bool inside_copy = false;
  try {
    FileSource source(file);
    OpenSslSha256 sha;
    archive::ArchiveReader reader(source, sha);
    ScriptPlan plan = plan_script(reader.manifest(), command.schema, command.tables);
    sink =
        command.output ? std::make_unique<FileSink>(*command.output) : std::make_unique<FileSink>();
    sink->write(script_header(reader.manifest(), plan));
    auto next = plan.tables.begin();
    std::string filtered;
    while (std::optional<std::size_t> position = reader.next_table()) {
      if (next == plan.tables.end() || next->position != *position) continue;
      sink->write(table_prelude(*next));
      inside_copy = true;
      CopyFieldFilter filter(next->loaded);
      for (std::string_view piece; !(piece = reader.next_data()).empty();) {
        if (filter.passes_all()) {
          sink->write(piece.data(), piece.size());
        } else {
          filtered.clear();
          filter.feed(piece, filtered);
          sink->write(filtered);
        }
      }
      inside_copy = false;
      sink->write(table_epilogue(*next));
      ++next;
    }
    reader.finish();
    sink->write(script_footer());
    sink->commit();
    return exit_ok;
  } catch (const UsageError& e) {
    err << "pgdb-archive: " << e.what() << "\n";
    return exit_usage;
  } catch (const std::exception& e) {
    std::string why = describe(e);
    err << "pgdb-archive: " << file << ": " << why << "\n";
    if (sink && !command.output) {
      try {
        sink->write(script_failure(inside_copy, why));
        sink->commit();
      } catch (const std::exception&) {
        // Standard output is gone: the script already lacks its COMMIT.
      }
    }
    if (command.output) err << "pgdb-archive: " << *command.output << " was not written\n";
    return status_of(e);
  }
}

}  // namespace

std::string utc_timestamp(std::int64_t microseconds) {
  std::int64_t seconds = microseconds / 1000000;
  std::int64_t fraction = microseconds % 1000000;
  if (fraction < 0) {
    fraction += 1000000;
    --seconds;
  }
  using namespace std::chrono;
  sys_days day = floor<days>(sys_seconds(std::chrono::seconds(seconds)));
  year_month_day date(day);
  std::int64_t in_day =
      seconds - duration_cast<std::chrono::seconds>(day.time_since_epoch()).count();
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u %02lld:%02lld:%02lld.%06lld+00",
                static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()), static_cast<long long>(in_day / 3600),
                static_cast<long long>(in_day / 60 % 60), static_cast<long long>(in_day % 60),
                static_cast<long long>(fraction));
  return text;
}

int run_command(const Command& command, std::ostream& out, std::ostream& err) {
  switch (command.subcommand) {
    case Subcommand::help:
      out << usage_text();
      return exit_ok;
    case Subcommand::version:
      out << "pgdb-archive (pgdb_tools " PGDB_TOOLS_VERSION "), archive format "
          << version_text(archive::format_minor) << "\n";
      return exit_ok;
    case Subcommand::list:
      return for_each_file(command, err, [&](const std::string& file) { list_file(file, out); });
    case Subcommand::verify: {
      int status =
          for_each_file(command, err, [&](const std::string& file) { verify_file(file, out); });
      out.flush();
      return status;
    }
    case Subcommand::sql:
      return sql_file(command, err);
  }
  return exit_usage;
}

}  // namespace pgdb::cli
