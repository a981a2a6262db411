#include "cli/sql_script.hpp"

#include <algorithm>
#include <set>

#include "cli/cli_args.hpp"
#include "cli/json_text.hpp"
#include "core/error.hpp"
#include "core/quote.hpp"
#include "core/pg_free.hpp"

namespace pgdb::cli {

namespace {

std::string q(std::string_view name) { return quote_identifier(name, quote_every_word); }

// Text for a -- comment line: control characters (a newline would end the comment) become '?'.
std::string comment_text(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  return out;
}

bool is_integer_literal(const std::string& text) {
  std::size_t start = !text.empty() && text[0] == '-' ? 1 : 0;
  return text.size() > start && text.size() <= 20 &&
         std::all_of(text.begin() + start, text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// What snapshot_restore does to the recorded sequences (restore_pg.cpp reset_sequences), as
// statements: the recorded value, or past the highest value loaded when it was not recorded.
std::vector<std::string> sequence_resets(const Json& definition, const std::string& qualified) {
  std::vector<std::string> out;
  const Json* sequences = definition.find("sequences");
  if (sequences == nullptr || sequences->type != Json::Type::array) return out;
  for (const Json& seq : sequences->items) {
    const Json* column = seq.find("column");
    if (column == nullptr || column->type != Json::Type::string) continue;
    const Json* recorded = seq.find("recorded");
    const Json* last = seq.find("last_value");
    std::string sequence = "pg_catalog.pg_get_serial_sequence(" + quote_literal(qualified) + ", " +
                           quote_literal(column->text) + ")";
    if (recorded == nullptr || recorded->type != Json::Type::boolean || !recorded->boolean) {
      out.push_back("SELECT pg_catalog.setval(" + sequence + ", m) FROM (SELECT pg_catalog.max(" +
                    q(column->text) + ")::pg_catalog.int8 AS m FROM " + qualified +
                    ") x WHERE m IS NOT NULL");
    } else if (last != nullptr && last->type == Json::Type::number &&
               is_integer_literal(last->text)) {
      out.push_back("SELECT pg_catalog.setval(" + sequence + ", " + last->text + ", true)");
    }
  }
  return out;
}

bool selected(const archive::TableEntry& table, const std::vector<std::string>& names) {
  if (names.empty()) return true;
  std::string full = table.schema + "." + table.name;
  return std::find(names.begin(), names.end(), table.name) != names.end() ||
         std::find(names.begin(), names.end(), full) != names.end();
}

}  // namespace

KeywordKind quote_every_word(std::string_view) { return KeywordKind::reserved_or_restricted; }

ScriptPlan plan_script(const archive::Manifest& manifest, const std::optional<std::string>& schema,
                       const std::vector<std::string>& tables) {
  for (const std::string& name : tables) {
    bool found = std::any_of(manifest.tables.begin(), manifest.tables.end(),
                             [&](const archive::TableEntry& t) { return selected(t, {name}); });
    if (!found) {
      std::string known;
      for (const archive::TableEntry& t : manifest.tables)
        known += (known.empty() ? "" : ", ") + t.schema + "." + t.name;
      throw UsageError("--tables: the archive has no table \"" + name + "\" (it has: " + known +
                       ")");
    }
  }
  ScriptPlan plan;
  std::set<std::pair<std::string, std::string>> targets;
  for (std::size_t i = 0; i < manifest.tables.size(); ++i) {
    const archive::TableEntry& entry = manifest.tables[i];
    if (!selected(entry, tables)) continue;
    const std::string& target_schema = schema ? *schema : entry.schema;
    if (!targets.insert({target_schema, entry.name}).second)
      throw UsageError("two tables named \"" + entry.name + "\" would go into schema \"" +
                       target_schema + "\": choose one with --tables");
    if (std::find(plan.schemas.begin(), plan.schemas.end(), target_schema) == plan.schemas.end())
      plan.schemas.push_back(target_schema);

    ScriptTable table;
    table.position = i;
    table.source = entry.schema + "." + entry.name;
    table.qualified = q(target_schema) + "." + q(entry.name);
    Json definition = parse_json(entry.definition);
    table.ddl = snapshots::target_ddl(definition, target_schema, entry.name, quote_every_word);
    const Json* columns = definition.find("columns");
    for (const Json& column : columns->items) {
      const Json* name = column.find("name");
      table.loaded.push_back(std::find(table.ddl.load_columns.begin(), table.ddl.load_columns.end(),
                                       name->text) != table.ddl.load_columns.end());
    }
    table.after_load = sequence_resets(definition, table.qualified);
    plan.tables.push_back(std::move(table));
  }
  return plan;
}

std::string script_header(const archive::Manifest& manifest, const ScriptPlan& plan) {
  std::string out = "-- pgdb_tools archive of snapshot " + comment_text(manifest.snapshot_name) +
                    ", from " +
                    (manifest.database ? "database " + comment_text(*manifest.database) + " on "
                                       : std::string()) +
                    "PostgreSQL " + comment_text(manifest.server_version) +
                    ", written by pgdb-archive sql.\n"
                    "-- Load it with: psql -v ON_ERROR_STOP=1 -f FILE. It commits only at its end, "
                    "once the whole\n"
                    "-- archive verified; the tables must not exist yet.\n"
                    "SET client_encoding = " +
                    quote_literal(manifest.encoding) +
                    ";\n"
                    "SET standard_conforming_strings = on;\n"
                    "BEGIN;\n"
                    // The definitions were rendered with this search_path (_snapshot_definition).
                    "SET LOCAL search_path = pg_catalog;\n"
                    "SET LOCAL DateStyle = ISO, YMD;\n"
                    "SET LOCAL IntervalStyle = postgres;\n";
  for (const std::string& schema : plan.schemas)
    out += "CREATE SCHEMA IF NOT EXISTS " + q(schema) + ";\n";
  return out;
}

std::string table_prelude(const ScriptTable& table) {
  std::string out = "\n-- table " + comment_text(table.source) + "\n";
  for (const std::string& sql : table.ddl.before) out += sql + ";\n";
  out += table.ddl.create_table + ";\n";
  std::string columns;
  for (const std::string& name : table.ddl.load_columns)
    columns += (columns.empty() ? "" : ", ") + q(name);
  out += "COPY " + table.qualified + " (" + columns + ") FROM stdin;\n";
  return out;
}

std::string table_epilogue(const ScriptTable& table) {
  std::string out = "\\.\n";
  for (const std::string& sql : table.ddl.after) out += sql + ";\n";
  for (const std::string& sql : table.after_load) out += sql + ";\n";
  return out;
}

std::string script_footer() { return "\nCOMMIT;\n"; }

std::string script_failure(bool inside_copy, const std::string& message) {
  std::string text = "pgdb-archive: the archive failed verification, nothing of it is loaded: " +
                     comment_text(message);
  std::replace(text.begin(), text.end(), '$', '?');  // it goes inside a dollar-quoted body
  return std::string(inside_copy ? "\n\\.\n" : "") + "DO $pgdb_archive$BEGIN RAISE EXCEPTION " +
         "'%', " + quote_literal(text) + "; END$pgdb_archive$;\n";
}

CopyFieldFilter::CopyFieldFilter(std::vector<bool> keep)
    : keep_(std::move(keep)),
      all_(std::all_of(keep_.begin(), keep_.end(), [](bool k) { return k; })) {}

void CopyFieldFilter::begin_field(std::string& out) {
  if (!keep(field_)) return;
  if (kept_in_row_++ > 0) out.push_back('\t');
}

void CopyFieldFilter::feed(std::string_view piece, std::string& out) {
  if (all_) {
    out.append(piece);
    return;
  }
  for (char c : piece) {
    if (!in_row_) {
      in_row_ = true;
      field_ = 0;
      kept_in_row_ = 0;
      begin_field(out);
    }
    if (c == '\n') {
      out.push_back('\n');
      in_row_ = false;
    } else if (c == '\t') {
      ++field_;
      begin_field(out);
    } else if (keep(field_)) {
      out.push_back(c);
    }
  }
}

}  // namespace pgdb::cli
