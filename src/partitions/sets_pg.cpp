// The SQL entry points of partition sets: create_partitioned, update_partitioned,
// forget_partitioned and run_maintenance. The registry is registry_pg.cpp, a pass maintain_pg.cpp.
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "partitions/gather_pg.hpp"
#include "partitions/maintain_pg.hpp"
#include "partitions/registry_pg.hpp"
#include "partitions/values_pg.hpp"
#include "pg/catalog.hpp"
#include "pg/compat.hpp"
#include "pg/datum.hpp"
#include "pg/guard.hpp"
#include "pg/quote.hpp"
#include "pg/relation.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"
#include "pg/srf.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "miscadmin.h"
#include "utils/builtins.h"
}

using namespace pgdb;
using namespace pgdb::partitions;

namespace {

// 22023 for '-'::regclass (InvalidOid), which names no table; "relation with OID 0" says nothing.
void require_named(Oid parent) {
  if (!OidIsValid(parent))
    throw Error(sqlstate::invalid_parameter_value, "parent must name a table, not \"-\"");
}

// The checks every entry point that changes a set makes first.
void require_managed_table(Oid parent) {
  require_named(parent);
  pg::require_table(parent, "parent");
  pg::require_table_owner(parent, "manage its partitions");
}

std::optional<std::string> optional_text(FunctionCallInfo fcinfo, int n) {
  if (PG_ARGISNULL(n)) return std::nullopt;
  return pg::text_to_string(PG_GETARG_DATUM(n));
}

std::optional<std::string> optional_name(FunctionCallInfo fcinfo, int n) {
  if (PG_ARGISNULL(n)) return std::nullopt;
  return std::string(NameStr(*PG_GETARG_NAME(n)));
}

// create_partitioned's arguments as settings (start_at apart: see create_partitioned).
Settings settings_from_arguments(FunctionCallInfo fcinfo, const pg::TableName& table) {
  Settings s;
  s.schema = table.schema;
  s.name = table.name;
  s.control = pg::text_to_string(PG_GETARG_DATUM(1));
  s.interval_text = pg::text_to_string(PG_GETARG_DATUM(2));
  s.premake = PG_ARGISNULL(3) ? 4 : PG_GETARG_INT32(3);
  s.retention = optional_text(fcinfo, 5);
  s.retention_mode = optional_text(fcinfo, 6).value_or("drop");
  s.archive_schema = optional_name(fcinfo, 7);
  s.default_partition = PG_ARGISNULL(8) || PG_GETARG_BOOL(8);
  s.time_zone = optional_text(fcinfo, 9).value_or("UTC");
  // retention_limit (added in 0.2.0; the 0.1.0 declaration has ten arguments)
  s.retention_limit = PG_NARGS() > 10 && !PG_ARGISNULL(10) ? PG_GETARG_INT32(10) : 50;
  // template_table (added in 0.3.0)
  s.template_table = PG_NARGS() > 11 && !PG_ARGISNULL(11) ? PG_GETARG_OID(11) : InvalidOid;
  return s;
}

// start_at as given (validated), or the start of the current period.
std::string first_period(pg::Spi& spi, Settings& s, ControlType type,
                         const std::optional<std::string>& given) {
  if (given) {
    start_key(*given, type, pg::quote_identifier(s.control));  // validates
    return *given;
  }
  Width interval = parse_width_of(type, s.interval_text, "partition_interval");
  Key first = make_steps(s, type, interval)->floor(now_for(spi, s, type, 0));
  return is_time(type) ? local_text(first, false) : std::to_string(first);
}

}  // namespace

// create_partitioned(parent, control, partition_interval, premake, start_at, retention,
//                    retention_mode, archive_schema, default_partition, time_zone) RETURNS integer
PGDB_FUNCTION(pgdb_tools_create_partitioned) {
  for (int n : {0, 1, 2})
    if (PG_ARGISNULL(n))
      throw Error(sqlstate::invalid_parameter_value, std::string(n == 0   ? "parent"
                                                                 : n == 1 ? "control"
                                                                          : "partition_interval") +
                                                         " must not be NULL");
  Oid parent = PG_GETARG_OID(0);
  require_managed_table(parent);
  pg::TableName table = pg::table_name(parent);
  Settings settings = settings_from_arguments(fcinfo, table);
  std::optional<std::string> start_at = optional_text(fcinfo, 4);
  int created = 0;
  {
    pg::SearchPath trusted(pg::trusted_search_path);
    pg::Spi spi;
    // Two registrations of one table at once: the second waits here, then finds the first's set
    // (the same settings: nothing to do) instead of failing on the registry's primary key.
    lock_set(spi, parent);
    ControlType type = require_range_parent(spi, parent, table, settings.control);
    validate_settings(spi, settings, type);
    settings.start_at = first_period(spi, settings, type, start_at);
    register_set(spi, parent, settings, start_at);
    created = create_partitions(spi, parent, table);
  }
  PG_RETURN_INT32(created);
}

// run_maintenance(parent regclass, dry_run boolean)
//   RETURNS TABLE(parent regclass, action text, partition_name text, detail text)
PGDB_FUNCTION(pgdb_tools_run_maintenance) {
  Oid only = PG_ARGISNULL(0) ? InvalidOid : PG_GETARG_OID(0);
  bool dry_run = !PG_ARGISNULL(1) && PG_GETARG_BOOL(1);
  // force (added in 0.2.0): retire past the set's retention_limit. The 0.1.0 SQL declaration
  // has two arguments.
  bool force = PG_NARGS() > 2 && !PG_ARGISNULL(2) && PG_GETARG_BOOL(2);
  if (OidIsValid(only)) {
    pg::require_table(only, "parent");
    pg::require_table_owner(only, "manage its partitions");
  }
  std::vector<Report> reports;
  {
    pg::SearchPath trusted(pg::trusted_search_path);
    pg::Spi spi;
    std::vector<RegisteredSet> sets =
        OidIsValid(only) ? std::vector{require_set(spi, only)} : load_sets(spi, InvalidOid);
    for (const RegisteredSet& set : sets) {
      // a pass over every set covers the sets the caller may maintain
      if (!pg::owns_table(set.parent)) continue;
      pg::check_for_interrupts();
      reports.push_back(maintain_isolated(spi, set, dry_run, force));
    }
  }
  pg::ResultRows result(fcinfo);
  for (const Report& report : reports) {
    for (const Outcome& o : report.outcomes)
      result.add({report.parent, std::string(outcome_name(o.kind)),
                  o.partition.empty() ? std::nullopt : std::optional(o.partition), o.detail});
    if (report.error)
      result.add({report.parent, std::string("error"), std::nullopt, *report.error});
  }
  PG_RETURN_NULL();
}

// update_partitioned(parent, premake, retention, retention_mode, archive_schema) RETURNS boolean:
// changes the given settings (retention => 'none' clears it); true when something changed.
PGDB_FUNCTION(pgdb_tools_update_partitioned) {
  if (PG_ARGISNULL(0)) throw Error(sqlstate::invalid_parameter_value, "parent must not be NULL");
  Oid parent = PG_GETARG_OID(0);
  require_managed_table(parent);
  pg::SearchPath trusted(pg::trusted_search_path);
  pg::Spi spi;
  RegisteredSet set = require_set(spi, parent);
  ControlType type = require_range_parent(spi, set.parent, set.table(), set.settings.control);
  Settings s = set.settings;
  if (!PG_ARGISNULL(1)) s.premake = PG_GETARG_INT32(1);
  if (std::optional<std::string> retention = optional_text(fcinfo, 2))
    s.retention = *retention == "none" ? std::nullopt : retention;
  if (std::optional<std::string> mode = optional_text(fcinfo, 3)) s.retention_mode = *mode;
  if (std::optional<std::string> archive = optional_name(fcinfo, 4)) s.archive_schema = archive;
  // retention_limit (added in 0.2.0)
  if (PG_NARGS() > 5 && !PG_ARGISNULL(5)) s.retention_limit = PG_GETARG_INT32(5);
  // template_table (added in 0.3.0); '-' (OID 0) clears it
  if (PG_NARGS() > 6 && !PG_ARGISNULL(6)) s.template_table = PG_GETARG_OID(6);
  validate_settings(spi, s, type);
  PG_RETURN_BOOL(update_settings(spi, set.settings, s));
}

namespace {

bool forget_table(Oid parent) {
  require_managed_table(parent);
  pg::TableName table = pg::table_name(parent);
  pg::SearchPath trusted(pg::trusted_search_path);
  pg::Spi spi;
  return forget_set(spi, table.schema, table.name);
}

// The schemas a name without one is looked up in: the caller's search_path.
std::vector<std::string> schemas_for(const RangeVar* range) {
  std::vector<std::string> schemas;
  if (range->schemaname != nullptr) {
    schemas.emplace_back(range->schemaname);
    return schemas;
  }
  List* path = pg::call([] { return fetch_search_path(false); });
  for (Oid schema : pg::oid_list(path))
    if (std::optional<std::string> name = pg::schema_name(schema)) schemas.push_back(*name);
  return schemas;
}

// Forgets the first set recorded under relname in one of the schemas whose table is gone; 42501
// unless the caller is a member of the role that registered it (or a superuser, when that role is
// gone too).
bool forget_recorded(const std::vector<std::string>& schemas, const std::string& relname) {
  pg::SearchPath trusted(pg::trusted_search_path);
  pg::Spi spi;
  for (const std::string& schema : schemas) {
    spi.execute(
        "SELECT s.owner_name::text, "
        "       (SELECT pg_catalog.pg_has_role(r.oid, 'USAGE') FROM pg_catalog.pg_roles r "
        "         WHERE r.rolname = s.owner_name) "
        "FROM pgdb_tools.partition_sets s WHERE s.parent_schema = $1 AND s.parent_name = $2",
        {pg::Param::text(schema), pg::Param::text(relname)}, true);
    if (spi.row_count() == 0) continue;
    std::string owner_name = spi.get_text(0, 0).value();
    std::optional<bool> member = spi.get_bool(0, 1);
    bool allowed = member ? *member : pg::call([] { return superuser(); });
    if (!allowed)
      throw Error(sqlstate::insufficient_privilege,
                  "permission denied to forget the partition set " + pg::quote_identifier(schema) +
                      "." + pg::quote_identifier(relname),
                  "Its table no longer exists; the set was registered by " +
                      pg::quote_identifier(owner_name) + ".",
                  "Only members of that role (or a superuser, when the role is gone) can "
                  "forget it.");
    return forget_set(spi, schema, relname);
  }
  return false;
}

}  // namespace

// forget_partitioned(parent regclass) RETURNS boolean: stops managing the set; partitions stay.
PGDB_FUNCTION(pgdb_tools_forget_partitioned) {
  if (PG_ARGISNULL(0)) throw Error(sqlstate::invalid_parameter_value, "parent must not be NULL");
  PG_RETURN_BOOL(forget_table(PG_GETARG_OID(0)));
}

// forget_partitioned(parent text) RETURNS boolean: the same for a table named as text, which may
// also be a table that no longer exists (a set recorded under that name, whose table was dropped
// while the extension could not notice, e.g. before 0.2.0). The name is resolved as the caller
// would resolve it: a live table first, then the sets recorded in the schemas of the caller's
// search_path (or the given schema).
PGDB_FUNCTION(pgdb_tools_forget_partitioned_by_name) {
  if (PG_ARGISNULL(0)) throw Error(sqlstate::invalid_parameter_value, "parent must not be NULL");
  std::string name = pg::text_to_string(PG_GETARG_DATUM(0));
  if (name.empty()) throw Error(sqlstate::invalid_parameter_value, "parent must not be empty");
  const char* raw = name.c_str();
  auto* range =
      pg::call([raw] { return makeRangeVarFromNameList(pg::compat::qualified_name_list(raw)); });
  Oid live = pg::find_relation(range);
  if (OidIsValid(live)) PG_RETURN_BOOL(forget_table(live));
  bool removed = forget_recorded(schemas_for(range), range->relname);
  if (!removed) pg::notice("no table and no partition set named " + name + ": nothing to forget");
  PG_RETURN_BOOL(removed);
}
