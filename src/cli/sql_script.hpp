// The SQL script `pgdb-archive sql` writes (docs/archive-cli.md): each table recreated from the
// definition the archive records (restore_plan's target_ddl, the renderer snapshot_restore uses
// for target_schema) and loaded by COPY from the archive's own COPY text, in one transaction that
// commits only once the archive verified. PG-free.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "snapshots/archive_format.hpp"
#include "snapshots/restore_plan.hpp"

namespace pgdb::cli {

// Every identifier double-quoted: the tool has no keyword list of the server that will load the
// script, and a quoted name means the same on every version.
KeywordKind quote_every_word(std::string_view word);

// One table of the script.
struct ScriptTable {
  std::size_t position = 0;  // in the manifest
  std::string source;        // schema.name as recorded, for messages
  std::string qualified;     // the target, quoted
  snapshots::TargetDdl ddl;
  std::vector<bool> loaded;             // per recorded column: in the COPY (generated ones are not)
  std::vector<std::string> after_load;  // sequence values, once constraints and indexes exist
};

struct ScriptPlan {
  std::vector<std::string> schemas;  // to create, in first-use order
  std::vector<ScriptTable> tables;   // the selected ones, in manifest order
};

// Throws UsageError for a --tables name no table has, or two tables sent to one target name, and
// pgdb::Error for a definition that cannot be read.
ScriptPlan plan_script(const archive::Manifest& manifest, const std::optional<std::string>& schema,
                       const std::vector<std::string>& tables);

// The script's parts, in the order they are written.
std::string script_header(const archive::Manifest& manifest, const ScriptPlan& plan);
std::string table_prelude(const ScriptTable& table);   // ends with the COPY ... FROM stdin line
std::string table_epilogue(const ScriptTable& table);  // ends the COPY data and adds the rest
std::string script_footer();
// Written to standard output when the archive fails part way: ends COPY data still open and
// raises an error, so that psql never reaches a COMMIT.
std::string script_failure(bool inside_copy, const std::string& message);

// Copies COPY text rows keeping only the fields marked true (one flag per recorded column; fields
// beyond the flags are kept, so a mismatch fails in COPY rather than silently). Rows may arrive in
// pieces of any size. A raw tab only ever separates fields and a raw LF only ends a row (COPY text
// escapes both inside values), so no parsing beyond that is needed.
class CopyFieldFilter {
 public:
  explicit CopyFieldFilter(std::vector<bool> keep);
  bool passes_all() const noexcept { return all_; }
  void feed(std::string_view piece, std::string& out);

 private:
  bool keep(std::size_t field) const { return field >= keep_.size() || keep_[field]; }
  void begin_field(std::string& out);

  std::vector<bool> keep_;
  bool all_;
  std::size_t field_ = 0;
  std::size_t kept_in_row_ = 0;
  bool in_row_ = false;
};

}  // namespace pgdb::cli
