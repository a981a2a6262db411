// Snapshots the boundary pushes for reads that must see what the current statement changed.
#pragma once

namespace pgdb::pg {

// While alive, the statement's own catalog changes (a column's new name, at ddl_command_end) are
// visible to read-only SPI queries, which run on the active snapshot: one taken before the
// statement began would show the old names. As SPI does before a statement that writes: the
// command counter is advanced and a copy of the active snapshot (or the transaction's) pushed with
// the new command id. After a PostgreSQL error, popping it is left to the coming rollback.
class StatementSnapshot {
 public:
  StatementSnapshot();
  ~StatementSnapshot();
  StatementSnapshot(const StatementSnapshot&) = delete;
  StatementSnapshot& operator=(const StatementSnapshot&) = delete;

 private:
  int pending_at_start_;
};

}  // namespace pgdb::pg
