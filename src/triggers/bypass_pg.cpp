#include "triggers/bypass.hpp"

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/xact_journal.hpp"
#include "pg/datum.hpp"
#include "pg/catalog.hpp"
#include "pg/guard.hpp"
#include "pg/relation.hpp"
#include "pg/quote.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"
#include "pg/xact.hpp"
#include "triggers/spec.hpp"

extern "C" {
#include "access/xact.h"
#include "catalog/namespace.h"
#include "utils/rel.h"
}

namespace pgdb::triggers {

namespace {

struct Ignored {
  Oid relid;  // the table, or one of its partitions (each carries a clone of the trigger)
  std::string trigger_name;
};

XactJournal<Ignored> ignored;

struct Match {
  Oid relid;
  std::string name;
  std::string table;  // quoted, qualified
};

// The managed triggers called trigger ("*": all), on table relid only when it is valid.
std::vector<Match> managed_matches(pg::Spi& spi, const std::string& trigger, Oid relid) {
  spi.execute(
      "SELECT c.oid::int8, m.trigger_name::text, "
      "       pg_catalog.quote_ident(m.table_schema) || '.' || "
      "pg_catalog.quote_ident(m.table_name) "
      "FROM pgdb_tools.managed_triggers m "
      "JOIN pg_catalog.pg_namespace n ON n.nspname = m.table_schema "
      "JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = m.table_name "
      "WHERE ($1 = '*' OR m.trigger_name = $1) AND ($2 = 0 OR c.oid = $2) "
      "ORDER BY 3, 2",
      {pg::Param::text(trigger), pg::Param::oid(relid)}, true);
  std::vector<Match> matches;
  for (std::uint64_t r = 0; r < spi.row_count(); ++r)
    matches.push_back(
        {spi.get_oid(r, 0).value(), spi.get_text(r, 1).value(), spi.get_text(r, 2).value()});
  return matches;
}

// A name that reads as "table.trigger" or "schema.table.trigger", its table resolved as the
// caller would resolve it (InvalidOid when there is none).
struct Qualified {
  Oid relid;
  std::string table;  // as the caller wrote it, for messages
  std::string trigger;
  bool schema_given;
};

std::optional<Qualified> qualified_name(const std::string& name) {
  std::optional<std::vector<std::string>> parts = split_qualified_trigger(name);
  if (!parts) return std::nullopt;
  bool with_schema = parts->size() == 3;
  std::string schema = with_schema ? (*parts)[0] : std::string();
  const std::string& table = (*parts)[with_schema ? 1 : 0];
  Oid relid = pg::find_relation(with_schema ? schema.c_str() : nullptr, table.c_str());
  std::string shown = (with_schema ? pg::quote_identifier(schema) + "." : std::string()) +
                      pg::quote_identifier(table);
  return Qualified{relid, shown, parts->back(), with_schema};
}

// The managed triggers one name given to ignore() means, among those the caller may bypass.
struct Chooser {
  bool bypass_member;       // in pgdb_tools_bypass: may bypass any table's triggers
  std::string caller_path;  // the caller's search_path, which decides between same-named ones

  std::vector<Match> choose(pg::Spi& spi, const std::string& name,
                            const std::optional<Qualified>& qualified) const {
    if (name != "*") return allowed(named(spi, name, qualified));
    std::vector<Match> chosen;
    for (Match& m : managed_matches(spi, "*", InvalidOid))
      if (bypass_member || pg::owns_table(m.relid)) chosen.push_back(std::move(m));
    return chosen;
  }

 private:
  // The managed triggers called name, or named by it as "table.trigger"; 42P01 or 42704 when
  // there are none.
  static std::vector<Match> named(pg::Spi& spi, const std::string& name,
                                  const std::optional<Qualified>& qualified) {
    std::vector<Match> matches = managed_matches(spi, name, InvalidOid);
    if (matches.empty() && qualified) {
      const Qualified& q = *qualified;
      if (!OidIsValid(q.relid))
        throw Error(
            sqlstate::undefined_table,
            "table " + q.table + " of trigger name " + pg::quote_literal(name) + " does not exist",
            {}, q.schema_given ? "" : "Qualify the table with its schema: 'schema.table.trigger'.");
      matches = managed_matches(spi, q.trigger, q.relid);
      if (matches.empty())
        throw Error(
            sqlstate::undefined_object,
            "no managed trigger " + pg::quote_identifier(q.trigger) + " on table " + q.table, {},
            "SELECT trigger_name FROM pgdb_tools.triggers lists them.");
    }
    if (matches.empty()) {
      require_trigger_name_length(name, "trigger name " + pg::quote_literal(name));
      throw Error(sqlstate::undefined_object,
                  "no managed trigger is named " + pg::quote_identifier(name), {},
                  "SELECT trigger_name FROM pgdb_tools.triggers lists them.");
    }
    return matches;
  }

  // Those of the matches the caller may bypass and, of several, those on the tables the caller's
  // search_path shows, when it shows any (as a plain table name would mean them); 42501 when the
  // caller may bypass none.
  std::vector<Match> allowed(std::vector<Match> matches) const {
    std::string refused;
    std::vector<Match> allowed;
    for (Match& m : matches) {
      if (bypass_member || pg::owns_table(m.relid)) {
        allowed.push_back(std::move(m));
      } else {
        refused += (refused.empty() ? "" : ", ") + m.table;
      }
    }
    if (allowed.empty())
      throw Error(sqlstate::insufficient_privilege,
                  "permission denied to ignore trigger " + pg::quote_identifier(matches[0].name) +
                      " on table " + refused,
                  {},
                  "Only the table's owner and members of role pgdb_tools_bypass can ignore its "
                  "triggers.");
    std::vector<Match> visible;
    if (allowed.size() > 1) {
      pg::SearchPath as_caller(caller_path);
      for (const Match& m : allowed) {
        Oid relid = m.relid;
        if (pg::call([relid] { return RelationIsVisible(relid); })) visible.push_back(m);
      }
    }
    return visible.empty() ? allowed : visible;
  }
};

// Each chosen trigger once, on its table and on the table's partitions, which carry clones of the
// trigger under the same name, added to granted; returns the number of triggers.
int with_partitions(pg::Spi& spi, const std::vector<Match>& chosen, std::vector<Ignored>& granted) {
  int triggers = 0;
  std::set<std::pair<Oid, std::string>> seen;
  for (const Match& m : chosen) {
    if (!seen.insert({m.relid, m.name}).second) continue;  // named twice
    ++triggers;
    spi.execute(
        "SELECT relid::oid::int8 FROM pg_catalog.pg_partition_tree($1) "
        "UNION SELECT $1::oid::int8",
        {pg::Param::oid(m.relid)}, true);
    for (Oid relid : spi.oid_column(0)) granted.push_back({relid, m.name});
  }
  return triggers;
}

void warn_outside_transaction_block() {
  pg::call([] {
    ereport(WARNING,
            (errcode(ERRCODE_NO_ACTIVE_SQL_TRANSACTION),
             errmsg("pgdb_tools.ignore() can only be used in transaction blocks"),
             errdetail("Outside one, the triggers are ignored only until the end of the current "
                       "statement."),
             errhint("Call it after BEGIN, in the transaction that makes the change.")));
  });
}

}  // namespace

void init_bypass() { pg::register_xact_listener(ignored); }

bool bypassed(const TriggerData* data) noexcept { return bypassed(data, data->tg_trigger->tgname); }

bool bypassed(const TriggerData* data, const char* name) noexcept {
  if (ignored.empty()) return false;
  Oid relid = RelationGetRelid(data->tg_relation);
  return ignored.any_of(
      [&](const Ignored& entry) { return entry.relid == relid && entry.trigger_name == name; });
}

}  // namespace pgdb::triggers

using namespace pgdb;
using namespace pgdb::triggers;

// ignore(VARIADIC trigger_names text[]) RETURNS integer: the number of managed triggers that now
// do nothing until the end of the transaction. A plain name means the managed triggers of that
// name on tables the caller may bypass (others' same-named triggers are not the caller's to mean),
// and of those, when there are several, the ones on tables visible in the caller's search_path
// if any are;
// "table.trigger" (table found in the caller's search_path) and "schema.table.trigger" name one
// table's; "*" every one the caller may bypass.
PGDB_FUNCTION(pgdb_tools_ignore) {
  if (PG_ARGISNULL(0))
    throw Error(sqlstate::invalid_parameter_value, "trigger_names must not be NULL");
  std::vector<std::string> names = pg::text_array_values(PG_GETARG_DATUM(0), "trigger_names");
  if (names.empty())
    throw Error(sqlstate::invalid_parameter_value, "name at least one trigger, or '*'", {},
                "SELECT pgdb_tools.ignore('pgdb_protect_orders');");
  Chooser chooser{pg::may_bypass(), pg::current_search_path()};
  // Qualified names' tables, looked up with the caller's search_path before it is pinned.
  std::vector<std::optional<Qualified>> qualified;
  for (const std::string& name : names) qualified.push_back(qualified_name(name));

  std::vector<Ignored> granted;
  int ignored_triggers = 0;
  {
    pg::SearchPath trusted(pg::trusted_search_path);
    pg::Spi spi;
    std::vector<Match> chosen;
    for (std::size_t i = 0; i < names.size(); ++i)
      for (Match& m : chooser.choose(spi, names[i], qualified[i])) chosen.push_back(std::move(m));
    ignored_triggers = with_partitions(spi, chosen, granted);
  }
  SubxactId subxact = pg::current_subxact();
  for (Ignored& entry : granted) ignored.add(subxact, std::move(entry));
  // In autocommit the statement is its own transaction: the triggers are ignored until it ends,
  // which a function that goes on to change rows can use, but a following statement cannot.
  // Warned as SET LOCAL is; the count stays what is ignored, for as long as that lasts.
  if (!IsTransactionBlock()) warn_outside_transaction_block();
  PG_RETURN_INT32(ignored_triggers);
}
