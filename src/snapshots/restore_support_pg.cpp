// What both kinds of restore share (restore_support_pg.hpp): the stored copy locked and checked,
// the column mapping, the row changes, the sequence reset and the progress report.
#include "snapshots/restore_support_pg.hpp"

#include <algorithm>
#include <map>

#include "core/error.hpp"
#include "pg/catalog.hpp"
#include "pg/datum.hpp"
#include "pg/guard.hpp"
#include "pg/quote.hpp"
#include "pg/relation.hpp"
#include "pg/spi.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "parser/parse_coerce.h"
#include "utils/snapmgr.h"
}

namespace pgdb::snapshots {

std::string column_list(const std::vector<std::string>& columns) {
  std::string out;
  for (const std::string& c : columns) out += (out.empty() ? "" : ", ") + pg::quote_identifier(c);
  return out;
}

// The stored copy, locked against snapshot_drop for the rest of the transaction. Its rows are read
// through its _read view as the caller: both must be the extension's (a view another role made
// under that name would run its code with the caller's rights).
Oid require_storage(const StoredTable& item, const std::string& snapshot) {
  Oid view = read_view_relid(item);
  Oid storage = OidIsValid(view) ? copy_relid(item) : InvalidOid;
  if (OidIsValid(storage)) {
    bool storage_exists = pg::lock_relation_if_exists(storage, AccessShareLock);
    bool view_exists = pg::lock_relation_if_exists(view, AccessShareLock);
    if (!storage_exists || !view_exists)
      throw Error(sqlstate::undefined_object,
                  "snapshot \"" + snapshot + "\" was dropped while this call waited for it");
  }
  if (!OidIsValid(storage))
    throw Error(sqlstate::object_not_in_prerequisite_state,
                "the stored copy of " + item.source_quoted() + " in snapshot \"" + snapshot +
                    "\" is missing",
                {}, "snapshot_verify() reports the state of every copy.");
  return storage;
}

// Every row of the copy must have arrived: a rule or a trigger on the table that drops or
// redirects inserted rows would otherwise leave the table short without a word.
void require_all_rows(const StoredTable& item, const std::string& target, std::uint64_t rows) {
  if (static_cast<std::int64_t>(rows) != item.rows)
    throw Error(sqlstate::object_not_in_prerequisite_state,
                "restoring " + target + " stored " + std::to_string(rows) +
                    " rows of the snapshot's " + std::to_string(item.rows),
                {},
                "A rule or trigger on the table skips or redirects inserted rows; remove it, or "
                "restore into another schema with target_schema.");
}

// Resets the owned sequence of each recorded column of `table` (quoted) to its recorded value.
void reset_sequences(pg::Spi& spi, const StoredTable& item, Oid table,
                     const std::string& table_quoted) {
  const Json* sequences = item.definition.find("sequences");
  if (sequences == nullptr || sequences->type != Json::Type::array) return;
  for (const Json& seq : sequences->items) {
    const Json* column = seq.find("column");
    const Json* recorded = seq.find("recorded");
    const Json* last = seq.find("last_value");
    if (column == nullptr || column->type != Json::Type::string) continue;
    if (recorded == nullptr || recorded->type != Json::Type::boolean || !recorded->boolean) {
      // Not recorded (the taker could not read it) or not shown to this caller: continue after
      // the highest value restored, so that the next insert does not collide.
      spi.execute(
          "SELECT pg_catalog.setval(s.seq, m.v) "
          "  FROM (SELECT pg_catalog.pg_get_serial_sequence($3, $2)::pg_catalog.regclass AS seq "
          "         WHERE EXISTS (SELECT FROM pg_catalog.pg_attribute WHERE attrelid "
          "OPERATOR(pg_catalog.=) $1 "
          "                          AND attname OPERATOR(pg_catalog.=) $2 AND NOT attisdropped)) "
          "s, "
          "       LATERAL (SELECT pg_catalog.max(" +
              pg::quote_identifier(column->text) +
              ")::int8 AS v "
              "                  FROM " +
              table_quoted +
              ") m "
              " WHERE m.v IS NOT NULL",
          {pg::Param::oid(table), pg::Param::text(column->text), pg::Param::text(table_quoted)});
      pg::notice("the sequence of column \"" + column->text + "\" of " + table_quoted +
                 " was not recorded for you: set to the column's highest value");
      continue;
    }
    bool called = last != nullptr && last->type == Json::Type::number;
    spi.execute(
        "SELECT pg_catalog.setval(s.seq, coalesce($3::int8, q.seqstart), $3 IS NOT NULL) "
        "  FROM (SELECT pg_catalog.pg_get_serial_sequence($4, $2)::pg_catalog.regclass AS seq "
        "         WHERE EXISTS (SELECT FROM pg_catalog.pg_attribute WHERE attrelid "
        "OPERATOR(pg_catalog.=) $1 "
        "                          AND attname OPERATOR(pg_catalog.=) $2 AND NOT attisdropped)) s "
        "  JOIN pg_catalog.pg_sequence q ON q.seqrelid OPERATOR(pg_catalog.=) "
        "s.seq::pg_catalog.oid",
        {pg::Param::oid(table), pg::Param::text(column->text),
         called ? pg::Param::text(last->text) : pg::Param::null(TEXTOID),
         pg::Param::text(table_quoted)});
  }
}

// A NOTICE per large table, so that a long restore shows where it is.
void report_progress(const std::string& snapshot, const std::string& target, std::uint64_t rows) {
  if (rows >= progress_rows)
    pg::notice("snapshot \"" + snapshot + "\": restored " + target + ", " + std::to_string(rows) +
               " rows");
}

// How a table's stored copy loads into the table as it is now (columns matched by name).
ColumnMapping mapping_for(const std::string& target, Oid storage, Oid relid) {
  std::vector<pg::Column> stored_facts = pg::live_columns(storage, AccessShareLock);
  std::vector<pg::Column> live_facts = pg::live_columns(relid, AccessShareLock);
  std::map<std::string, Oid> type_oids;
  std::vector<StoredColumn> stored;
  std::vector<LiveColumn> now;
  for (const pg::Column& c : stored_facts) {
    stored.push_back({c.name, c.type_name});
    type_oids[c.type_name] = c.type;
  }
  for (const pg::Column& c : live_facts) {
    now.push_back({c.name, c.type_name, c.generated, c.identity_always});
    type_oids[c.type_name] = c.type;
  }
  return map_columns(target, stored, now, [&](const std::string& from, const std::string& to) {
    Oid from_oid = type_oids.at(from);
    Oid to_oid = type_oids.at(to);
    return pg::call([from_oid, to_oid] {
      Oid from_types[1] = {from_oid};
      Oid to_types[1] = {to_oid};
      return can_coerce_type(1, from_types, to_types, COERCION_ASSIGNMENT);
    });
  });
}

// What restoring the copy `storage` into table relid (locked) changes: its rows now against the
// copy's, by row hash over the columns loaded with their type unchanged (generated columns are
// recomputed, a retyped column converted). Nothing when no such column is left.
std::optional<RowChanges> changes_of(Oid relid, Oid storage, const ColumnMapping& mapping) {
  std::vector<std::string> compared;
  for (const std::string& column : mapping.columns)
    if (std::find(mapping.retyped.begin(), mapping.retyped.end(), column) == mapping.retyped.end())
      compared.push_back(column);
  if (compared.empty()) return std::nullopt;
  std::vector<unsigned __int128> current, snapshot;
  // Every row TRUNCATE will remove: the table is locked, so the latest snapshot sees them all.
  Snapshot latest = pg::call([] { return RegisterSnapshot(GetLatestSnapshot()); });
  row_digests(leaves_of(relid), latest, compared, current);
  pg::call([latest] { UnregisterSnapshot(latest); });
  row_digests({storage}, GetActiveSnapshot(), compared, snapshot);
  return compare_rows(current, snapshot);
}

}  // namespace pgdb::snapshots
