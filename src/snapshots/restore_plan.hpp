// Decisions of snapshot_restore that need no server: which columns of a snapshot load into the
// table as it is now (schema drift), in which order tables load (foreign keys), and the DDL that
// recreates a snapshotted table in another schema from its recorded definition. PG-free.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/json.hpp"
#include "core/quote.hpp"
#include "snapshots/foreign_key_check.hpp"

namespace pgdb::snapshots {

// A column of the stored copy, with its type as format_type() wrote it.
struct StoredColumn {
  std::string name;
  std::string type;
};

// A column of the table being restored, as it is now.
struct LiveColumn {
  std::string name;
  std::string type;
  bool generated = false;  // GENERATED ALWAYS AS (...) STORED: recomputed, never loaded
  bool identity_always =
      false;  // GENERATED ALWAYS AS IDENTITY: loaded with OVERRIDING SYSTEM VALUE
};

struct ColumnMapping {
  std::vector<std::string> columns;    // loaded from the snapshot, matched by name, in live order
  std::vector<std::string> retyped;    // of those, the ones whose type changed (assignment cast)
  std::vector<std::string> ignored;    // in the snapshot only: their data is not restored
  std::vector<std::string> defaulted;  // live only (or generated): filled by the table
  bool overriding_system_value = false;
};

// Whether a value of type `from` can be stored in a column of type `to` by an assignment cast.
using Assignable = std::function<bool(const std::string& from, const std::string& to)>;

// Matches stored and live columns by name. Throws 42804 when a column's type changed to one
// that no assignment cast reaches, and 55000 when no column is left in common.
ColumnMapping map_columns(const std::string& table, const std::vector<StoredColumn>& stored,
                          const std::vector<LiveColumn>& live, const Assignable& assignable);

// What decides how an in-place restore reloads a table: through the bulk path (rows written
// straight into the emptied heap in batches, NOT NULL checked per row, the CHECK constraints by
// one scan afterwards, every index rebuilt once at the end) or by INSERT ... SELECT, which keeps
// each index up to date row by row and runs what PostgreSQL runs on an INSERT.
struct ReloadFacts {
  bool partitioned = false;      // rows are routed to partitions: INSERT
  bool partition = false;        // a partition: INSERT checks its bounds
  bool insert_triggers = false;  // an enabled trigger other than a foreign key's check fires on
                                 // INSERT (kept user triggers)
  bool owner_may_insert = true;  // the owner (who reloads) holds INSERT on the table
  // Its foreign keys whose check fires on INSERT (enforced, trigger enabled), checked after a
  // bulk load by one anti-join each (foreign_key_check.hpp).
  std::vector<ForeignKeyFacts> foreign_keys;
};
// Why the table reloads by INSERT ... SELECT, or nullopt for the bulk path: also INSERT when a
// column is converted (retyped) or filled by the table (defaulted, generated).
std::optional<std::string> bulk_reload_refusal(const ColumnMapping& mapping,
                                               const ReloadFacts& facts);

// Tables 0..count-1 ordered so that a referenced table loads before the tables referencing it.
// references holds (referencing, referenced) pairs; self references are ignored; tables in a
// cycle keep their given order after the others.
std::vector<int> load_order(int count, const std::vector<std::pair<int, int>>& references);

// What an in-place restore changes in a table, from the row hashes (ContentHash::last_row) of the
// rows it holds before the restore and of the snapshot's rows, compared as multisets: `removed`
// rows were there and are not in the snapshot (added or changed since), `reinstated` rows are in
// the snapshot and were not there (deleted or changed since). A row changed since counts once in
// each. Sorts both vectors.
struct RowChanges {
  std::uint64_t removed = 0;
  std::uint64_t reinstated = 0;
};
RowChanges compare_rows(std::vector<unsigned __int128>& current,
                        std::vector<unsigned __int128>& snapshot);

// How to recreate a table in another schema from the definition recorded by snapshot_create
// (pgdb_tools._snapshot_definition): statements before the load, the table, the columns to
// load, and statements after it (constraints, indexes, sequences). Foreign keys are not
// recreated: they would tie the copy to tables outside it.
struct TargetDdl {
  std::vector<std::string> before;  // CREATE SEQUENCE for serial columns
  std::string create_table;
  std::vector<std::string> load_columns;
  bool overriding_system_value = false;
  std::vector<std::string> after;    // ADD CONSTRAINT, CREATE INDEX, OWNED BY
  std::vector<std::string> skipped;  // what an untrusted definition did not get, for a NOTICE
};
// The recreated sequences start afresh: the caller sets them to the values the snapshot recorded
// once the table exists (snapshot_restore does, from definition.sequences).

// trusted says whether the expressions recorded with the table (defaults, generated columns,
// CHECK and exclusion constraints, expression and partial indexes) may run with the rights of the
// role restoring it: they were written by the table's owner. When not, the copy gets none of
// them (generated columns become plain columns holding the snapshot's values) and `skipped`
// names what was left out.
TargetDdl target_ddl(const Json& definition, const std::string& schema, const std::string& table,
                     KeywordLookup keywords, bool trusted = true);

}  // namespace pgdb::snapshots
