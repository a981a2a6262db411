// snapshot_drop(name) as named steps: read the snapshots the name may mean (as the extension's
// owner), mark those the caller can see (as the caller), choose one, check the caller's right to
// drop it, and drop it under a row lock; and drop_stored_snapshot, which snapshot_create's replace
// shares.
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "pg/datum.hpp"
#include "pg/guard.hpp"
#include "pg/quote.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"
#include "snapshots/store_pg.hpp"

extern "C" {
#include "catalog/pg_type.h"
}

namespace pgdb::snapshots {

void drop_stored_snapshot(pg::Spi& spi, std::int64_t id) {
  spi.execute(
      "SELECT storage_name::text FROM pgdb_tools.snapshot_items WHERE snapshot_id = $1 ORDER BY "
      "ordinal",
      {pg::Param::int8(id)});
  std::vector<std::string> storage;
  for (std::uint64_t r = 0; r < spi.row_count(); ++r) storage.push_back(spi.get_text(r, 0).value());
  for (const std::string& table : storage) {
    StoredTable item;
    item.storage_name = table;
    // CASCADE: objects another role made to depend on a copy (a view of it) must not keep its
    // owner from dropping the snapshot; they go with it, and PostgreSQL names them in a NOTICE.
    // Only what the extension made is dropped: a relation another role made under a copy's name
    // (the database owner may create in the store) is not the snapshot's.
    if (OidIsValid(read_view_relid(item))) spi.execute("DROP VIEW " + item.read_quoted());
    if (OidIsValid(copy_relid(item)))
      spi.execute("DROP TABLE " + item.storage_quoted() + " CASCADE");
  }
  spi.execute("DELETE FROM pgdb_tools.snapshot_catalog WHERE snapshot_id = $1",
              {pg::Param::int8(id)});
}

namespace {

// The id in a name '#<id>', as _snapshot_resolve reads it.
std::optional<std::int64_t> snapshot_id_named(const std::string& name) {
  if (name.size() < 2 || name.size() > 19 || name.front() != '#') return std::nullopt;
  std::int64_t id = 0;
  for (std::size_t i = 1; i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9') return std::nullopt;
    id = id * 10 + (name[i] - '0');
  }
  return id;
}

// A snapshot the name may mean, and what the caller is to it.
struct Candidate {
  std::int64_t id;
  std::string created_by;
  bool own;
  bool creator;
  bool owns_tables;
  bool nobodys;  // its creator was dropped
  bool visible = false;
  std::string creator_label() const {
    return pg::quote_identifier(created_by) + (nobodys ? " (dropped)" : "");
  }
};

// What the drop is asked for: a name, or '#<id>'.
struct Wanted {
  std::string name;
  pg::Param id;
};

// Step 1, as the extension's owner: every snapshot of that name (or id). owns_tables: a table it
// recorded still exists under its recorded name and OID and the caller has the rights of its
// owner: the owner of data may drop copies of it (and so free its types), whoever bundled them
// with what else.
std::vector<Candidate> read_candidates(pg::Spi& spi, const pg::ExtensionOwner& owner,
                                       const Wanted& wanted, Oid user) {
  pg::ActingAs as_owner = owner.acting();
  spi.execute(
      "SELECT c.snapshot_id, c.created_by::text, "
      "       coalesce(w.creator OPERATOR(pg_catalog.=) $2, false), "
      "       coalesce(pg_catalog.pg_has_role($2, w.creator, 'MEMBER'), false) "
      "         OR (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.oid "
      "OPERATOR(pg_catalog.=) $2), "
      "       EXISTS (SELECT FROM pgdb_tools.snapshot_items i "
      "                WHERE i.snapshot_id OPERATOR(pg_catalog.=) c.snapshot_id "
      "                  AND EXISTS (SELECT FROM pg_catalog.pg_class t "
      "                                        JOIN pg_catalog.pg_namespace n ON n.oid "
      "OPERATOR(pg_catalog.=) t.relnamespace "
      "                                       WHERE t.oid OPERATOR(pg_catalog.=) i.source_relid "
      "                                         AND t.relname OPERATOR(pg_catalog.=) "
      "i.source_name "
      "                                         AND n.nspname OPERATOR(pg_catalog.=) "
      "i.source_schema "
      "                                         AND pg_catalog.pg_has_role($2, t.relowner, "
      "'USAGE'))), "
      "       w.creator IS NULL "
      "  FROM pgdb_tools.snapshot_catalog c, "
      "       LATERAL (SELECT pgdb_tools._snapshot_creator_role(c.created_by_oid, c.created_by, "
      "                                                         c.created_on) AS creator) w "
      " WHERE CASE WHEN $3::pg_catalog.int8 IS NULL THEN c.name OPERATOR(pg_catalog.=) $1 "
      "            ELSE c.snapshot_id OPERATOR(pg_catalog.=) $3 END "
      " ORDER BY c.snapshot_id",
      {pg::Param::text(wanted.name), pg::Param::oid(user), wanted.id});
  std::vector<Candidate> candidates;
  for (std::uint64_t r = 0; r < spi.row_count(); ++r)
    candidates.push_back({spi.get_int64(r, 0).value(), spi.get_text(r, 1).value(),
                          spi.get_bool(r, 2).value_or(false), spi.get_bool(r, 3).value_or(false),
                          spi.get_bool(r, 4).value_or(false), spi.get_bool(r, 5).value_or(false)});
  return candidates;
}

// Step 2, with the caller's own rights: which of them the caller can see.
void mark_visible(pg::Spi& spi, const Wanted& wanted, std::vector<Candidate>& candidates) {
  spi.execute(
      "SELECT DISTINCT snapshot_id FROM pgdb_tools._snapshot_contents "
      " WHERE CASE WHEN $2::pg_catalog.int8 IS NULL THEN snapshot_name OPERATOR(pg_catalog.=) $1 "
      "            ELSE snapshot_id OPERATOR(pg_catalog.=) $2 END",
      {pg::Param::text(wanted.name), wanted.id});
  for (std::uint64_t r = 0; r < spi.row_count(); ++r) {
    std::int64_t id = spi.get_int64(r, 0).value();
    for (Candidate& c : candidates)
      if (c.id == id) c.visible = true;
  }
}

// Step 3: the caller's own snapshot of that name, else the one they can see or may drop (22023
// when there are several); nullptr when there is none.
const Candidate* choose(const std::vector<Candidate>& candidates, const std::string& name) {
  const Candidate* chosen = nullptr;
  for (const Candidate& c : candidates)
    if (c.own) chosen = &c;
  if (chosen != nullptr) return chosen;
  std::vector<const Candidate*> known;
  for (const Candidate& c : candidates)
    if (c.visible || c.creator || c.owns_tables) known.push_back(&c);
  if (known.size() > 1) {
    std::string roles;
    for (const Candidate* c : known) roles += (roles.empty() ? "" : ", ") + c->creator_label();
    throw Error(sqlstate::invalid_parameter_value, "snapshot name \"" + name + "\" is ambiguous",
                "Roles " + roles + " each have a snapshot of that name that you can see.",
                "Snapshot names are per role: run the call as the role whose snapshot you "
                "mean (SET ROLE), or name it by id, '#<snapshot_id>' (see the snapshots view).");
  }
  return known.empty() ? nullptr : known.front();
}

// Step 4: 42501 unless the caller is its creator (or a member), owns one of its tables, or is a
// superuser.
void require_right_to_drop(const Candidate& chosen, const std::string& name) {
  if (chosen.own || chosen.creator || chosen.owns_tables) return;
  if (chosen.nobodys)
    throw Error(sqlstate::insufficient_privilege,
                "must own a table of snapshot \"" + name + "\" to drop it",
                "Its creator, role " + pg::quote_identifier(chosen.created_by) +
                    ", was dropped: the snapshot belongs to no role.",
                "The owner of any of its tables and superusers can drop it.");
  throw Error(sqlstate::insufficient_privilege,
              "must be a member of role " + pg::quote_identifier(chosen.created_by) +
                  " or own a table of snapshot \"" + name + "\" to drop it",
              {},
              "The role that took a snapshot (or a member of it), the owner of any of its tables "
              "and superusers can drop it.");
}

// Step 5, as the extension's owner: the snapshot dropped under a row lock, so that two drops of
// one snapshot do not both go on. Whether it was still there.
bool drop_locked(pg::Spi& spi, const pg::ExtensionOwner& owner, std::int64_t id) {
  pg::ActingAs as_owner = owner.acting();
  spi.execute("SELECT 1 FROM pgdb_tools.snapshot_catalog WHERE snapshot_id = $1 FOR UPDATE",
              {pg::Param::int8(id)});
  if (spi.row_count() == 0) return false;
  drop_stored_snapshot(spi, id);
  return true;
}

}  // namespace

}  // namespace pgdb::snapshots

using namespace pgdb;
using namespace pgdb::snapshots;

// snapshot_drop(name): the snapshot the name means to the caller (their own first; see
// _snapshot_resolve) among those they can see or may drop. Its creator (or a member), the owner of
// every one of its tables, or a superuser may drop it: a reader's snapshot of an owner's table must
// not pin the owner's table or types. Snapshots the caller can neither see nor drop do not exist
// for them: the answer is the same NOTICE as for a name nobody uses.
PGDB_FUNCTION(pgdb_tools_snapshot_drop) {
  pg::SearchPath trusted(pg::trusted_search_path);
  if (PG_ARGISNULL(0)) throw Error(sqlstate::invalid_parameter_value, "name must not be NULL");
  std::string name = pg::text_to_string(PG_GETARG_DATUM(0));
  pg::Spi spi;
  const Oid user = GetUserId();
  pg::ExtensionOwner owner(spi);
  rebind_creators(spi, owner);
  // '#<id>' names the snapshot of that id (see _snapshot_resolve).
  std::optional<std::int64_t> by_id = snapshot_id_named(name);
  const Wanted wanted{name, by_id ? pg::Param::int8(*by_id) : pg::Param::null(INT8OID)};
  std::vector<Candidate> candidates = read_candidates(spi, owner, wanted, user);
  mark_visible(spi, wanted, candidates);
  const Candidate* chosen = choose(candidates, name);
  if (chosen != nullptr) require_right_to_drop(*chosen, name);
  if (chosen == nullptr || !drop_locked(spi, owner, chosen->id)) {
    pg::notice("snapshot \"" + name + "\" does not exist, skipping");
    PG_RETURN_BOOL(false);
  }
  PG_RETURN_BOOL(true);
}
