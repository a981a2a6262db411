// What the in-place restore (restore_in_place_pg.cpp), the restore into another schema and
// snapshot_diff (restore_pg.cpp) share.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "pg/postgres.hpp"
#include "snapshots/restore_plan.hpp"
#include "snapshots/store_pg.hpp"

namespace pgdb::pg {
class Spi;
}

namespace pgdb::snapshots {

// Adds "restoring <table> from snapshot <name>" to the context of any error raised while alive.
class RestoreContext {
 public:
  RestoreContext(const std::string& table, const std::string& snapshot) {
    snprintf(text_, sizeof text_, "restoring %s from snapshot \"%s\"", table.c_str(),
             snapshot.c_str());
    callback_.callback = [](void* arg) { errcontext("%s", static_cast<const char*>(arg)); };
    callback_.arg = text_;
    callback_.previous = error_context_stack;
    error_context_stack = &callback_;
  }
  ~RestoreContext() { error_context_stack = callback_.previous; }
  RestoreContext(const RestoreContext&) = delete;
  RestoreContext& operator=(const RestoreContext&) = delete;

 private:
  char text_[1024];
  ErrorContextCallback callback_;
};

// One restored table: a row of snapshot_restore's result.
struct Restored {
  std::string source;
  std::string target;
  std::int64_t rows;
  // In place: rows the restore removed and reinstated (see compare_rows); unknown otherwise.
  std::optional<RowChanges> changes;
};

// The columns, quoted, comma-separated.
std::string column_list(const std::vector<std::string>& columns);

// The stored copy, locked against snapshot_drop for the rest of the transaction. Its rows are read
// through its _read view as the caller: both must be the extension's (a view another role made
// under that name would run its code with the caller's rights). 42704 when the snapshot was
// dropped while this call waited, 55000 when the copy is missing.
Oid require_storage(const StoredTable& item, const std::string& snapshot);

// 55000 unless `rows` (what the load stored into `target`) is every row of the copy.
void require_all_rows(const StoredTable& item, const std::string& target, std::uint64_t rows);

// Resets the owned sequence of each recorded column of `table` (quoted) to its recorded value.
void reset_sequences(pg::Spi& spi, const StoredTable& item, Oid table,
                     const std::string& table_quoted);

// A NOTICE per large table, so that a long restore shows where it is.
void report_progress(const std::string& snapshot, const std::string& target, std::uint64_t rows);

// How a table's stored copy loads into the table as it is now (columns matched by name).
ColumnMapping mapping_for(const std::string& target, Oid storage, Oid relid);

// What restoring the copy `storage` into table relid (locked) changes (nullopt: nothing to
// compare).
std::optional<RowChanges> changes_of(Oid relid, Oid storage, const ColumnMapping& mapping);

// Restores `items` of snapshot `name` into their tables (restore_in_place_pg.cpp).
std::vector<Restored> restore_in_place(pg::Spi& spi, const std::string& name,
                                       const std::vector<const StoredTable*>& items,
                                       bool fire_triggers, const std::string& caller_path);

}  // namespace pgdb::snapshots
