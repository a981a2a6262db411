#include "partitions/gather_pg.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "partitions/children_cache_pg.hpp"
#include "partitions/values_pg.hpp"
#include "pg/catalog.hpp"
#include "pg/guard.hpp"
#include "pg/quote.hpp"
#include "pg/relation.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"

extern "C" {
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"
}

namespace pgdb::partitions {

ControlType require_range_parent(pg::Spi& spi, Oid parent, const pg::TableName& table,
                                 const std::string& control) {
  spi.execute_kept(
      "SELECT p.partstrat::text, p.partnatts::int4, a.attname::text, a.atttypid::int8 "
      "FROM pg_catalog.pg_partitioned_table p "
      "LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = "
      "p.partattrs[0] "
      "WHERE p.partrelid = $1",
      {pg::Param::oid(parent)}, true);
  if (spi.row_count() == 0)
    throw Error("42809", "table " + table.quoted() + " is not partitioned", {},
                "Create it with PARTITION BY RANGE (" + pg::quote_identifier(control) +
                    "). A table that already holds data is converted in place by "
                    "pgdb_tools.partition_existing(), its rows becoming the first partition.");
  std::string strategy = spi.get_text(0, 0).value();
  std::optional<std::string> key_column = spi.get_text(0, 2);
  if (strategy != "r")
    throw Error(sqlstate::invalid_parameter_value,
                "table " + table.quoted() + " is partitioned by " +
                    (strategy == "l" ? "LIST" : "HASH") + ", not RANGE");
  if (spi.get_int64(0, 1).value() != 1 || !key_column)
    throw Error(sqlstate::invalid_parameter_value,
                "table " + table.quoted() + " must be partitioned by RANGE on one column");
  if (*key_column != control)
    throw Error(sqlstate::undefined_column,
                "table " + table.quoted() + " is partitioned on " +
                    pg::quote_identifier(*key_column) + ", not on " + pg::quote_identifier(control),
                {}, "Pass control => '" + *key_column + "'.");
  std::optional<ControlType> type = control_type_of(spi.get_oid(0, 3).value());
  if (!type)
    throw Error("42804",
                "column " + pg::quote_identifier(control) + " of table " + table.quoted() +
                    " has a type pgdb_tools cannot partition by",
                {}, "Use timestamptz, timestamp, date, integer or bigint.");
  return *type;
}

void require_registered_owner(const RegisteredSet& set) {
  std::optional<std::string> owner_now = pg::find_role_name(set.owner);
  if (!owner_now || set.settings.owner_name != *owner_now)
    throw Error(sqlstate::object_not_in_prerequisite_state,
                "table " + set.table().quoted() + " now belongs to " +
                    (owner_now ? pg::quote_identifier(*owner_now) : std::string("another role")) +
                    ", not to " + pg::quote_identifier(set.settings.owner_name) +
                    ", who registered the set",
                {}, "Register it again: forget_partitioned() then create_partitioned().");
}

Children read_children(pg::Spi& spi, Oid parent, ControlType type, const std::string& time_zone) {
  ChildrenRead read(parent, type, time_zone);
  if (read.kept() != nullptr) return *read.kept();
  spi.execute_kept(
      "SELECT c.oid::int8, c.relname::text FROM pg_catalog.pg_inherits i "
      "JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1",
      {pg::Param::oid(parent)});
  std::vector<std::pair<Oid, std::string>> found;
  for (std::uint64_t r = 0; r < spi.row_count(); ++r)
    found.emplace_back(spi.get_oid(r, 0).value(), spi.get_text(r, 1).value());
  Children children;
  std::vector<Oid> members;
  for (auto& [oid, name] : found) {
    members.push_back(oid);
    pg::check_for_interrupts();
    StoredBound bound = stored_bound(oid, type, time_zone);
    if (bound.is_default) {
      children.default_name = std::move(name);
      children.default_oid = oid;
    } else {
      children.partitions.push_back({std::move(name), bound.lower, bound.upper});
    }
  }
  read.keep(children, std::move(members));
  return children;
}

Key now_for(pg::Spi& spi, const Settings& settings, ControlType type, Key start,
            const std::optional<IntegerFrontier>& frontier) {
  if (is_time(type)) {
    spi.execute_kept("SELECT (pg_catalog.now() AT TIME ZONE $1)::timestamp",
                     {pg::Param::text(settings.time_zone)}, true);
    bool is_null = false;
    return DatumGetTimestamp(spi.value(0, 0, is_null));
  }
  std::string column = pg::quote_identifier(settings.control);
  std::string sql = "SELECT pg_catalog.max(" + column + ")::int8 FROM " +
                    pg::TableName{settings.schema, settings.name}.quoted();
  if (frontier && frontier->outlier_from != key_max) {
    spi.execute(sql + " WHERE " + column + " < $1", {pg::Param::int8(frontier->outlier_from)},
                true);
  } else {
    spi.execute(sql, {}, true);
  }
  std::optional<std::int64_t> highest = spi.get_int64(0, 0);
  if (highest) return *highest;
  return frontier ? frontier->current : start;
}

SetFacts gather(pg::Spi& spi, const RegisteredSet& set, ControlType type, const Width& interval,
                const Steps& steps) {
  SetFacts facts;
  facts.settings = set.settings;
  const Settings& s = facts.settings;
  facts.type = type;
  facts.interval = interval;
  facts.start = start_key(s.start_at, type, pg::quote_identifier(s.control));
  Children children = read_children(spi, set.parent, type, s.time_zone);
  facts.partitions = std::move(children.partitions);
  // Integer sets stand where their partitions say, so that one stray id (in the default, or in a
  // partition ending at MAXVALUE) neither drags creation along nor makes retention drop the set.
  std::optional<IntegerFrontier> frontier;
  if (!is_time(type)) frontier = integer_frontier(steps, facts.partitions, s.premake);
  facts.now = now_for(spi, s, type, facts.start, frontier);
  if (s.retention) facts.retention = parse_width_of(type, *s.retention, "retention");
  if (children.default_name) {
    // Only a default that holds rows needs each new range checked for rows to move (rows that
    // row-level security would hide count too: the partition must not be created over them).
    // A default left in another schema (ALTER TABLE ... SET SCHEMA moves the parent alone) is not
    // where the pass's statements name it.
    if (pg::relation_in_schema(pg::relation_schema(set.parent), children.default_name->c_str()) !=
        children.default_oid)
      throw Error(sqlstate::undefined_table,
                  "relation \"" + s.schema + "." + *children.default_name + "\" does not exist");
    facts.default_partition =
        DefaultPartition{*children.default_name, pg::relation_has_rows(children.default_oid)};
  }
  return facts;
}

namespace {

bool referenced_by_foreign_keys(pg::Spi& spi, Oid parent) {
  spi.execute(
      "SELECT EXISTS (SELECT FROM pg_catalog.pg_constraint WHERE contype = 'f' "
      "AND confrelid = $1)",
      {pg::Param::oid(parent)}, true);
  return spi.get_bool(0, 0).value();
}

void read_moves(pg::Spi& spi, Oid parent, DefaultPartition& from, bool dry_run) {
  from.referenced_by_foreign_keys = referenced_by_foreign_keys(spi, parent);
  if (dry_run || from.referenced_by_foreign_keys) return;
  spi.execute(
      "SELECT attname::text FROM pg_catalog.pg_attribute WHERE attrelid = $1 AND attnum > 0 "
      "AND NOT attisdropped AND attgenerated = '' ORDER BY attnum",
      {pg::Param::oid(parent)}, true);
  for (std::uint64_t r = 0; r < spi.row_count(); ++r)
    from.row_columns.push_back(spi.get_text(r, 0).value());
}

// The owner (when the role running the pass is not it) and the grants new partitions copy.
Adoption read_adoption(pg::Spi& spi, Oid parent) {
  spi.execute(
      "SELECT NULL::text, r.rolname::text, false, false "
      "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_roles r ON r.oid = c.relowner "
      "WHERE c.oid = $1 AND c.relowner <> $2 "
      "UNION ALL "
      "SELECT a.privilege_type, r.rolname::text, a.grantee = 0, a.is_grantable "
      "FROM pg_catalog.pg_class c CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) a "
      "LEFT JOIN pg_catalog.pg_roles r ON r.oid = a.grantee "
      "WHERE c.oid = $1 AND a.grantee <> c.relowner",
      {pg::Param::oid(parent), pg::Param::oid(GetUserId())}, true);
  Adoption adoption;
  for (std::uint64_t r = 0; r < spi.row_count(); ++r) {
    std::optional<std::string> privilege = spi.get_text(r, 0);
    if (!privilege) {
      adoption.owner = spi.get_text(r, 1).value();
      continue;
    }
    bool to_public = spi.get_bool(r, 2).value();
    adoption.grants.push_back({*privilege,
                               to_public ? std::nullopt : std::optional(spi.get_text(r, 1).value()),
                               spi.get_bool(r, 3).value()});
  }
  return adoption;
}

// The storage parameters, tablespace and replica identity of one relation; tablespace is nullopt
// for the database's default.
Properties properties_of(pg::Spi& spi, Oid relation) {
  spi.execute(
      "SELECT 'i', c.relreplident::text FROM pg_catalog.pg_class c WHERE c.oid = $1 "
      "UNION ALL SELECT 's', s.spcname::text FROM pg_catalog.pg_class c "
      "  JOIN pg_catalog.pg_tablespace s ON s.oid = c.reltablespace WHERE c.oid = $1 "
      "UNION ALL SELECT 'h', o FROM pg_catalog.pg_class c "
      "  CROSS JOIN LATERAL pg_catalog.unnest(c.reloptions) o WHERE c.oid = $1 "
      "UNION ALL SELECT 't', o FROM pg_catalog.pg_class c "
      "  JOIN pg_catalog.pg_class t ON t.oid = c.reltoastrelid "
      "  CROSS JOIN LATERAL pg_catalog.unnest(t.reloptions) o WHERE c.oid = $1",
      {pg::Param::oid(relation)}, true);
  Properties p;
  for (std::uint64_t r = 0; r < spi.row_count(); ++r) {
    std::string kind = spi.get_text(r, 0).value();
    std::string value = spi.get_text(r, 1).value();
    if (kind == "i") p.replica_identity = value.at(0);
    if (kind == "s") p.tablespace = value;
    if (kind == "h") p.reloptions.push_back(value);
    if (kind == "t") p.toast_reloptions.push_back(value);
  }
  return p;
}

// The parent's index that source's replica identity index is attached to; empty when there is
// none (source is no partition, or its index is its own).
static std::string replica_index_parent(pg::Spi& spi, Oid source) {
  spi.execute(
      "SELECT i.inhparent::pg_catalog.regclass::text FROM pg_catalog.pg_index x "
      "JOIN pg_catalog.pg_inherits i ON i.inhrelid OPERATOR(pg_catalog.=) x.indexrelid "
      "WHERE x.indrelid OPERATOR(pg_catalog.=) $1 AND x.indisreplident",
      {pg::Param::oid(source)}, true);
  return spi.row_count() == 1 ? spi.get_text(0, 0).value() : std::string();
}

// What new partitions copy: from the template table when the set names one (55000 when it is
// gone), else from the newest partition; the tablespace falls back to the parent's.
Properties read_properties(pg::Spi& spi, const RegisteredSet& set, const SetFacts& facts) {
  Oid source = InvalidOid;
  if (Oid template_table = set.settings.template_table) {
    if (!pg::relkind(template_table))
      throw Error(sqlstate::object_not_in_prerequisite_state,
                  "the template table of " + set.table().quoted() + " (OID " +
                      std::to_string(template_table) +
                      ") no longer exists: name another with update_partitioned(parent, "
                      "template_table => ...), or none with template_table => '-'");
    source = template_table;
  } else if (!facts.partitions.empty()) {
    auto newest =
        std::max_element(facts.partitions.begin(), facts.partitions.end(),
                         [](const Partition& a, const Partition& b) { return a.lower < b.lower; });
    source = pg::relation_in_schema(pg::relation_schema(set.parent), newest->name.c_str());
  }
  Properties p = OidIsValid(source) ? properties_of(spi, source) : Properties{};
  if (p.replica_identity == 'i') p.replica_index_parent = replica_index_parent(spi, source);
  // A template's index belongs to no index of the parent: nothing to point new partitions at.
  if (p.replica_identity == 'i' && p.replica_index_parent.empty()) p.replica_identity = 'd';
  Properties parents = properties_of(spi, set.parent);
  // The parent's tablespace, where it has one, is where PostgreSQL puts its partitions: it comes
  // before the newest partition's (not before the template's).
  bool from_template = OidIsValid(set.settings.template_table);
  if (parents.tablespace && !(from_template && p.tablespace)) p.tablespace = parents.tablespace;
  if (p.replica_identity == 'd') p.replica_identity = parents.replica_identity;
  return p;
}

bool plans(const std::vector<Action>& plan, std::initializer_list<Action::Kind> kinds) {
  return std::any_of(plan.begin(), plan.end(), [&](const Action& a) {
    return std::find(kinds.begin(), kinds.end(), a.kind) != kinds.end();
  });
}

}  // namespace

void complete_facts(pg::Spi& spi, const RegisteredSet& set, SetFacts& facts,
                    const std::vector<Action>& plan, bool dry_run) {
  if (facts.default_partition && facts.default_partition->has_rows &&
      plans(plan, {Action::Kind::move_rows}))
    read_moves(spi, set.parent, *facts.default_partition, dry_run);
  if (!dry_run && plans(plan, {Action::Kind::create, Action::Kind::create_default})) {
    facts.adoption = read_adoption(spi, set.parent);
    facts.adoption.properties = read_properties(spi, set, facts);
  }
  if (plans(plan, {Action::Kind::drop}))
    facts.referenced_by_foreign_keys = referenced_by_foreign_keys(spi, set.parent);
}

PlanLookups lookups_for(Oid parent) {
  Oid namespace_oid = pg::relation_schema(parent);
  return {[namespace_oid](const std::string& name) {
            return OidIsValid(pg::relation_in_schema(namespace_oid, name.c_str()));
          },
          [] { pg::check_for_interrupts(); }};
}

Quoting server_quoting() { return Quoting{pg::server_keywords, quote_all_identifiers}; }

}  // namespace pgdb::partitions
