// Roles and privileges: who the caller is and what it may do (membership, the bypass role,
// ownership of schemas and types; tables' in relation.hpp), the search_path the extension's own
// queries run under, and acting as the extension's owner for writes to the extension's own catalog
// tables, which callers may read but not write: the caller's own rights were checked first, and
// DDL on their tables still runs as them.
#pragma once

#include <optional>
#include <string>

#include "pg/postgres.hpp"

namespace pgdb::pg {

class Spi;

// The role called name; InvalidOid when there is none.
Oid role_oid(const char* name);

// The role's name; 42704 when role names none.
std::string role_name(Oid role);

// The role's name; nullopt when role names none (dropped since it was recorded).
std::optional<std::string> find_role_name(Oid role);

// Whether member has the privileges of role (is it, or a member with INHERIT).
bool has_privileges_of(Oid member, Oid role);

// The role whose members may ignore() and prune any managed trigger, as its owners may.
inline constexpr const char* bypass_role = "pgdb_tools_bypass";

// Whether the current user has the privileges of bypass_role; false while that role does not
// exist.
bool may_bypass();

// Whether the current user owns the schema / the type, directly or through role membership.
bool owns_schema(Oid nsp);
bool owns_type(Oid type);

// Whether role has USAGE on the schema.
bool has_schema_usage(Oid nsp, Oid role);

// The search_path the caller's statement runs with.
std::string current_search_path();

// While alive, search_path is the given value; the previous value comes back when it goes out of
// scope (or with the rollback that follows a PostgreSQL error). The extension's own catalog
// queries run under "pg_catalog, pg_temp" so that objects a caller planted earlier in their path
// (an operator named =, a type named text) are never what runs. Settings that code run meanwhile
// changed for the session (set_config(..., false)) stay, as after a function with SET, unless
// discard_changes: then every setting comes back as it was, as after VACUUM or REFRESH
// MATERIALIZED VIEW run another role's code.
class SearchPath {
 public:
  explicit SearchPath(const std::string& path, bool discard_changes = false);
  ~SearchPath();
  SearchPath(const SearchPath&) = delete;
  SearchPath& operator=(const SearchPath&) = delete;

 private:
  int pending_at_start_;
  int guc_level_;
  bool discard_changes_;
};

inline constexpr const char* trusted_search_path = "pg_catalog, pg_temp";

// Sets a configuration parameter until the innermost SearchPath (or ActingAs) alive ends, which
// restores it. E.g. jit off for a pass whose one query over thousands of partitions would
// otherwise be compiled, at a cost far above its run time.
void set_in_scope(const char* name, const char* value);

// The role that owns the pgdb_tools extension.
Oid extension_owner(Spi& spi);

// While alive, the current user is the given role and search_path is "pg_catalog, pg_temp" (as a
// SECURITY DEFINER function with SET search_path would run), in a security-restricted operation;
// both come back when it goes out of scope, with every setting the role's code changed meanwhile
// (it must not leave the caller's session changed: a search_path of its choosing would run its
// functions with the caller's rights later), and PostgreSQL's own abort processing restores them
// if an error ends the transaction first.
class ActingAs {
 public:
  explicit ActingAs(Oid role);
  ~ActingAs();
  ActingAs(const ActingAs&) = delete;
  ActingAs& operator=(const ActingAs&) = delete;

 private:
  SearchPath trusted_path_;
  Oid saved_user_;
  int saved_context_;
};

// The role that owns the pgdb_tools extension, read once (55000 when the extension is not
// installed): for a call that acts as it more than once or also needs its OID or name.
//
//   pg::ExtensionOwner owner(spi);
//   rebind_creators(spi, owner);
//   pg::ActingAs as_owner = owner.acting();   // writes to the extension's catalog
class ExtensionOwner {
 public:
  explicit ExtensionOwner(Spi& spi) : oid_(extension_owner(spi)) {}
  Oid oid() const noexcept { return oid_; }
  // Its name, looked up on first use.
  const std::string& name();
  // While the returned object is alive, the current user is the extension's owner (see ActingAs).
  [[nodiscard]] ActingAs acting() const { return ActingAs(oid_); }

 private:
  Oid oid_;
  std::optional<std::string> name_;
};

// Acting as the extension's owner for one scope: how the features write the extension's own
// catalog, after the caller's rights were checked.
class AsExtensionOwner : public ActingAs {
 public:
  explicit AsExtensionOwner(Spi& spi) : ActingAs(ExtensionOwner(spi).oid()) {}
};

}  // namespace pgdb::pg
