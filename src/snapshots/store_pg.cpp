#include "snapshots/store_pg.hpp"

#include <string>
#include <vector>

#include "core/error.hpp"
#include "pg/catalog.hpp"
#include "pg/guard.hpp"
#include "pg/jsonb.hpp"
#include "pg/quote.hpp"
#include "pg/relation.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"

extern "C" {
#include "access/xact.h"
#include "access/xlog.h"
}

namespace pgdb::snapshots {

std::string StoredTable::source_quoted() const {
  return pg::quote_identifier(source_schema) + "." + pg::quote_identifier(source_name);
}

std::string StoredTable::storage_quoted() const {
  return std::string(storage_schema) + "." + pg::quote_identifier(storage_name);
}

std::string current_user_name() { return pg::role_name(GetUserId()); }

std::string StoredTable::read_quoted() const {
  return std::string(storage_schema) + "." + pg::quote_identifier(storage_name + "_read");
}

std::string megabytes(std::int64_t bytes) {
  char buffer[32];
  snprintf(buffer, sizeof buffer, "%.1f MB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return buffer;
}

void require_snapshot_name(const std::string& name) {
  if (name.empty() || name.size() > 200)
    throw Error(sqlstate::invalid_parameter_value, "snapshot name must have 1 to 200 characters");
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7f)
      throw Error(sqlstate::invalid_parameter_value,
                  "snapshot name must not contain control characters");
  if (name.front() == '#')
    throw Error(sqlstate::invalid_parameter_value, "snapshot name must not begin with \"#\"", {},
                "'#<id>' names the snapshot of that id wherever a snapshot name is taken.");
}

namespace {

// The owners of snapshot schedules, as rebind_creators does for creators: a renamed owner's
// current name is recorded, and a schedule restored from another cluster is bound to the role of
// its name here (unless that would give the role two schedules of one prefix).
void rebind_schedule_owners(pg::Spi& spi) {
  const std::string here = "WITH here AS (SELECT pgdb_tools._system_identifier() AS id) ";
  spi.execute(here +
              "UPDATE pgdb_tools.snapshot_schedules s SET owner_name = r.rolname "
              "  FROM here, pg_catalog.pg_roles r "
              " WHERE s.owner_cluster OPERATOR(pg_catalog.=) here.id "
              "   AND r.oid OPERATOR(pg_catalog.=) s.owner_oid "
              "   AND s.owner_name OPERATOR(pg_catalog.<>) r.rolname");
  spi.execute(
      here +
      "UPDATE pgdb_tools.snapshot_schedules s SET owner_oid = r.oid, owner_cluster = here.id "
      "  FROM here, pg_catalog.pg_roles r "
      " WHERE s.owner_cluster OPERATOR(pg_catalog.<>) here.id "
      "   AND r.rolname OPERATOR(pg_catalog.=) s.owner_name "
      "   AND NOT EXISTS (SELECT FROM pgdb_tools.snapshot_schedules o "
      "                    WHERE o.name_prefix OPERATOR(pg_catalog.=) s.name_prefix "
      "                      AND ((o.owner_oid OPERATOR(pg_catalog.=) r.oid "
      "                            AND o.owner_cluster OPERATOR(pg_catalog.=) here.id) "
      "                           OR (o.owner_cluster OPERATOR(pg_catalog.<>) here.id "
      "                               AND o.owner_name OPERATOR(pg_catalog.=) s.owner_name "
      "                               AND o.ctid OPERATOR(pg_catalog.<>) s.ctid)))");
}

}  // namespace

void rebind_creators(pg::Spi& spi, const pg::ExtensionOwner& owner) {
  if (pg::call([] { return XactReadOnly || RecoveryInProgress(); })) return;
  pg::ActingAs as_owner = owner.acting();
  rebind_schedule_owners(spi);
  // needed: the rows whose creator now (NULL: nobody) differs from what is recorded. Nearly always
  // none, found by a cheap query first: the update's estimated cost would have it JIT-compiled.
  const std::string needed =
      "needed AS ( "
      "  SELECT c.snapshot_id, c.name, n.oid, n.rolname "
      "    FROM pgdb_tools.snapshot_catalog c CROSS JOIN here "
      "    LEFT JOIN pg_catalog.pg_roles n "
      "      ON CASE WHEN c.created_on IS NULL OR c.created_on OPERATOR(pg_catalog.=) here.id "
      "              THEN n.oid OPERATOR(pg_catalog.=) c.created_by_oid "
      "              ELSE n.rolname OPERATOR(pg_catalog.=) c.created_by END "
      "   WHERE c.created_by_oid OPERATOR(pg_catalog.<>) 0 "
      "     AND (c.created_on IS NULL OR c.created_on OPERATOR(pg_catalog.=) here.id "
      "          OR n.oid IS NOT NULL) "
      "     AND (n.oid IS NULL OR n.oid OPERATOR(pg_catalog.<>) c.created_by_oid "
      "          OR n.rolname OPERATOR(pg_catalog.<>) c.created_by "
      "          OR c.created_on IS DISTINCT FROM here.id)) ";
  const std::string here = "WITH here AS (SELECT pgdb_tools._system_identifier() AS id), ";
  spi.execute(here + needed + "SELECT 1 FROM needed", {}, true, 1);
  if (spi.row_count() == 0) return;
  // The bindings of a foreign row that another row already has, or that two foreign rows would
  // both get, are left out (the unique index would refuse them).
  spi.execute(
      here + needed +
      ", locked AS ( "
      "  SELECT c.snapshot_id FROM pgdb_tools.snapshot_catalog c "
      "   WHERE c.snapshot_id OPERATOR(pg_catalog.=) ANY (SELECT snapshot_id FROM needed) "
      "   ORDER BY c.snapshot_id FOR UPDATE SKIP LOCKED) "
      "UPDATE pgdb_tools.snapshot_catalog c "
      "   SET created_by_oid = coalesce(d.oid, 0), created_by = coalesce(d.rolname, c.created_by), "
      "       created_on = here.id "
      "  FROM needed d, here "
      " WHERE c.snapshot_id OPERATOR(pg_catalog.=) d.snapshot_id "
      "   AND c.snapshot_id OPERATOR(pg_catalog.=) ANY (SELECT snapshot_id FROM locked) "
      "   AND (d.oid IS NULL OR NOT EXISTS ( "
      "          SELECT FROM pgdb_tools.snapshot_catalog o "
      "           WHERE o.snapshot_id OPERATOR(pg_catalog.<>) d.snapshot_id "
      "             AND o.name OPERATOR(pg_catalog.=) d.name "
      "             AND ((o.created_by_oid OPERATOR(pg_catalog.=) d.oid "
      "                   AND o.created_on OPERATOR(pg_catalog.=) here.id) "
      "                  OR EXISTS (SELECT FROM needed e "
      "                              WHERE e.snapshot_id OPERATOR(pg_catalog.=) o.snapshot_id "
      "                                AND e.oid OPERATOR(pg_catalog.=) d.oid))))");
}

void require_user_schema(pg::Spi& spi, Oid nsp, const std::string& schema,
                         const std::string& action) {
  if (pg::is_system_schema(nsp))
    throw Error(
        sqlstate::invalid_parameter_value,
        "cannot " + action + " schema " + pg::quote_identifier(schema) + ": it is a system schema",
        {}, "The system catalogs are never snapshot or restore material.");
  if (pg::is_extension_schema(spi, nsp))
    throw Error(sqlstate::invalid_parameter_value,
                "cannot " + action + " schema " + pg::quote_identifier(schema) +
                    ": it belongs to the pgdb_tools extension",
                {},
                "The extension's own schemas hold its catalog and stored copies; they are never "
                "snapshot or restore material.");
}

void require_no_citus_tables(pg::Spi& spi, const std::vector<Oid>& relids,
                             const std::string& action) {
  if (relids.empty()) return;
  spi.execute("SELECT FROM pg_catalog.pg_extension WHERE extname = 'citus'", {}, true);
  if (spi.row_count() == 0) return;
  std::string list = "{";
  for (Oid relid : relids) list += (list.size() > 1 ? "," : "") + std::to_string(relid);
  list += "}";
  spi.execute(
      "SELECT logicalrelid::pg_catalog.oid::pg_catalog.int8, partmethod::pg_catalog.text, "
      "       repmodel::pg_catalog.text "
      "  FROM pg_catalog.pg_dist_partition "
      " WHERE logicalrelid::pg_catalog.oid OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.oid[]) "
      " ORDER BY 1 LIMIT 1",
      {pg::Param::text(list)}, true);
  if (spi.row_count() == 0) return;
  Oid relid = static_cast<Oid>(spi.get_int64(0, 0).value());
  std::string method = spi.get_text(0, 1).value_or("");
  std::string model = spi.get_text(0, 2).value_or("");
  std::string kind = method != "n"  ? "a Citus distributed table"
                     : model == "t" ? "a Citus reference table"
                                    : "a Citus local table";
  throw Error(
      sqlstate::feature_not_supported,
      "cannot " + action + " " + pg::table_name(relid).quoted() + ": it is " + kind,
      "On the coordinator such a table is an empty shell: its rows live in Citus's shards, "
      "which snapshots do not copy.",
      "Copy its rows into a local table first (CREATE TABLE ... AS SELECT * FROM it) and snapshot "
      "that, or use Citus's own tools.");
}

std::vector<StoredTable> readable_items(pg::Spi& spi, const std::string& name, int& total_tables) {
  // The snapshot the name means to the caller (names are per role), with the caller's rights.
  spi.execute("SELECT snapshot_id, candidates, creators FROM pgdb_tools._snapshot_resolve($1)",
              {pg::Param::text(name)});
  std::int64_t candidates = spi.get_int64(0, 1).value_or(0);
  if (candidates == 0)
    throw Error(sqlstate::undefined_object, "snapshot \"" + name + "\" does not exist", {},
                "The snapshots view lists the snapshots you can read.");
  if (candidates > 1)
    throw Error(sqlstate::invalid_parameter_value, "snapshot name \"" + name + "\" is ambiguous",
                "Roles " + spi.get_text(0, 2).value_or("") +
                    " each have a snapshot of that name that you can read.",
                "Snapshot names are per role: run the call as the role whose snapshot you "
                "mean (SET ROLE), or name it by id, '#<snapshot_id>' (see the snapshots view).");
  std::int64_t id = spi.get_int64(0, 0).value();
  spi.execute(
      "SELECT snapshot_id, ordinal, source_relid::pg_catalog.int8, source_schema::pg_catalog.text, "
      "       source_name::pg_catalog.text, storage_name::pg_catalog.text, rows, content_hash, "
      "       definition, created_by::pg_catalog.text "
      "  FROM pgdb_tools._snapshot_contents WHERE snapshot_id OPERATOR(pg_catalog.=) $1 ORDER BY "
      "ordinal",
      {pg::Param::int8(id)});
  std::vector<StoredTable> items;
  for (std::uint64_t r = 0; r < spi.row_count(); ++r) {
    StoredTable item;
    item.snapshot_id = spi.get_int64(r, 0).value();
    item.ordinal = static_cast<int>(spi.get_int64(r, 1).value());
    item.source_relid = static_cast<Oid>(spi.get_int64(r, 2).value());
    item.source_schema = spi.get_text(r, 3).value();
    item.source_name = spi.get_text(r, 4).value();
    item.storage_name = spi.get_text(r, 5).value();
    item.rows = spi.get_int64(r, 6).value();
    item.content_hash = spi.get_text(r, 7).value();
    bool is_null = false;
    item.definition = pg::jsonb_to_json(spi.value(r, 8, is_null));
    item.created_by = spi.get_text(r, 9).value();
    items.push_back(std::move(item));
  }
  if (items.empty())
    throw Error(sqlstate::undefined_object, "snapshot \"" + name + "\" does not exist", {},
                "The snapshots view lists the snapshots you can read.");
  {
    pg::AsExtensionOwner as_owner(spi);
    spi.execute("SELECT count(*) FROM pgdb_tools.snapshot_items WHERE snapshot_id = $1",
                {pg::Param::int8(id)});
    total_tables = static_cast<int>(spi.get_int64(0, 0).value());
  }
  return items;
}

Oid live_table(const StoredTable& item) {
  const std::string& schema = item.source_schema;
  const std::string& table = item.source_name;
  return pg::relation_in_schema(schema.c_str(), table.c_str());
}

}  // namespace pgdb::snapshots
