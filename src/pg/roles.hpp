// Acting as the extension's owner for writes to the extension's own catalog tables, which callers
// may read but not write: the caller's own rights were checked first, and DDL on their tables
// still runs as them.
#pragma once

#include "pg/postgres.hpp"

namespace pgdb::pg {

class Spi;

// The role that owns the pgdb_tools extension.
Oid extension_owner(Spi& spi);

// While alive, the current user is the given role (as SECURITY DEFINER would do); the previous
// user and security context come back when it goes out of scope, and PostgreSQL's own abort
// processing restores them if an error ends the transaction first.
class ActingAs {
 public:
  explicit ActingAs(Oid role);
  ~ActingAs();
  ActingAs(const ActingAs&) = delete;
  ActingAs& operator=(const ActingAs&) = delete;

 private:
  Oid saved_user_;
  int saved_context_;
};

}  // namespace pgdb::pg
