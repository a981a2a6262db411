#include "triggers/bypass.hpp"

#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/xact_journal.hpp"
#include "pg/datum.hpp"
#include "pg/guard.hpp"
#include "pg/quote.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"
#include "pg/xact.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/rel.h"
}

namespace pgdb::triggers {

namespace {

struct Ignored {
  Oid relid;  // the table, or one of its partitions (each carries a clone of the trigger)
  std::string trigger_name;
};

XactJournal<Ignored> ignored;

constexpr const char* bypass_role = "pgdb_tools_bypass";

bool may_bypass_any() {
  Oid role = pg::call([] { return get_role_oid(bypass_role, true); });
  if (!OidIsValid(role)) return false;
  Oid user = GetUserId();
  return pg::call([user, role] { return has_privs_of_role(user, role); });
}

bool owns(Oid relid) {
  Oid user = GetUserId();
  return pg::call([relid, user] { return pg_class_ownercheck(relid, user); });
}

std::vector<std::string> text_array(Datum array_datum) {
  ArrayType* array = pg::call([array_datum] { return DatumGetArrayTypeP(array_datum); });
  Datum* elements = nullptr;
  bool* nulls = nullptr;
  int count = 0;
  pg::call([&] {
    deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT, &elements, &nulls, &count);
  });
  std::vector<std::string> values;
  for (int i = 0; i < count; ++i) {
    if (nulls[i])
      throw Error(sqlstate::invalid_parameter_value, "trigger_names must not contain NULL");
    values.push_back(pg::text_to_string(elements[i]));
  }
  return values;
}

}  // namespace

void init_bypass() { pg::register_xact_listener(ignored); }

bool bypassed(const TriggerData* data) noexcept {
  if (ignored.empty()) return false;
  Oid relid = RelationGetRelid(data->tg_relation);
  const char* name = data->tg_trigger->tgname;
  return ignored.any_of(
      [&](const Ignored& entry) { return entry.relid == relid && entry.trigger_name == name; });
}

}  // namespace pgdb::triggers

using namespace pgdb;
using namespace pgdb::triggers;

// ignore(VARIADIC trigger_names text[]) RETURNS integer: the number of managed triggers that now
// do nothing until the end of the transaction.
PGDB_FUNCTION(pgdb_tools_ignore) {
  if (PG_ARGISNULL(0))
    throw Error(sqlstate::invalid_parameter_value, "trigger_names must not be NULL");
  std::vector<std::string> names = text_array(PG_GETARG_DATUM(0));
  if (names.empty())
    throw Error(sqlstate::invalid_parameter_value, "name at least one trigger, or '*'", {},
                "SELECT pgdb_tools.ignore('pgdb_protect_orders');");
  bool bypass_member = may_bypass_any();

  std::vector<Ignored> granted;
  std::set<std::string> matched;
  int ignored_triggers = 0;
  {
    pg::SearchPath trusted(pg::trusted_search_path);
    pg::Spi spi;
    std::vector<Datum> name_datums;
    for (const std::string& name : names) name_datums.push_back(pg::string_to_text(name));
    Datum* raw = name_datums.data();
    int count = static_cast<int>(name_datums.size());
    Datum array = pg::call([raw, count] {
      return PointerGetDatum(construct_array(raw, count, TEXTOID, -1, false, TYPALIGN_INT));
    });
    spi.execute(
        "SELECT c.oid::int8, m.trigger_name::text, "
        "       pg_catalog.quote_ident(m.table_schema) || '.' || "
        "pg_catalog.quote_ident(m.table_name) "
        "FROM pgdb_tools.managed_triggers m "
        "JOIN pg_catalog.pg_namespace n ON n.nspname = m.table_schema "
        "JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = m.table_name "
        "WHERE m.trigger_name = ANY ($1) OR '*' = ANY ($1) "
        "ORDER BY 3, 2",
        {pg::Param{TEXTARRAYOID, array, false}});
    struct Match {
      Oid relid;
      std::string name;
      std::string table;
    };
    std::vector<Match> matches;
    for (std::uint64_t r = 0; r < spi.row_count(); ++r)
      matches.push_back({static_cast<Oid>(spi.get_int64(r, 0).value()), spi.get_text(r, 1).value(),
                         spi.get_text(r, 2).value()});
    for (const Match& m : matches) {
      bool explicitly_named = std::find(names.begin(), names.end(), m.name) != names.end();
      if (!bypass_member && !owns(m.relid)) {
        if (!explicitly_named) continue;  // '*' covers only what the caller may bypass
        throw Error(sqlstate::insufficient_privilege,
                    "permission denied to ignore trigger " + pg::quote_identifier(m.name) +
                        " on table " + m.table,
                    {},
                    "Only the table's owner and members of role pgdb_tools_bypass can ignore its "
                    "triggers.");
      }
      matched.insert(m.name);
      ++ignored_triggers;
      // The table and its partitions, which carry clones of the trigger under the same name.
      spi.execute(
          "SELECT relid::oid::int8 FROM pg_catalog.pg_partition_tree($1) "
          "UNION SELECT $1::oid::int8",
          {pg::Param::oid(m.relid)}, true);
      for (std::uint64_t r = 0; r < spi.row_count(); ++r)
        granted.push_back({static_cast<Oid>(spi.get_int64(r, 0).value()), m.name});
    }
  }
  for (const std::string& name : names) {
    if (name != "*" && !matched.count(name))
      throw Error(sqlstate::undefined_object,
                  "no managed trigger is named " + pg::quote_identifier(name), {},
                  "SELECT trigger_name FROM pgdb_tools.triggers lists them.");
  }
  SubxactId subxact = pg::current_subxact();
  for (Ignored& entry : granted) ignored.add(subxact, std::move(entry));
  PG_RETURN_INT32(ignored_triggers);
}
