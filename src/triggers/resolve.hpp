// One declared spec resolved against the catalog (resolve_pg.cpp): its table, checked, the names
// it holds resolved and qualified, its trigger and DDL. apply_pg.cpp plans with it.
#pragma once

#include <cstddef>
#include <string>

#include "core/json.hpp"
#include "pg/relation.hpp"
#include "pg/spi.hpp"
#include "triggers/spec.hpp"
#include "triggers/trigger_def.hpp"

namespace pgdb::triggers {

struct Resolved {
  Spec spec;
  Oid relid;
  pg::TableName table;
  TriggerDef def;
  std::string canonical;
  std::string ddl;
};

// Parses and resolves one spec (position counts from 1, for messages): table (its owner only,
// when check_owner), kind-specific lookups, the trigger and its DDL. Names the caller wrote
// (tables, functions, configurations) resolve with caller_path. Raises the spec's first problem.
Resolved resolve_spec(pg::Spi& spi, const std::string& caller_path, const Json& json,
                      std::size_t position, bool check_owner);

// 42809 unless relid is an ordinary or partitioned table (argument names the SQL argument), 22023
// for the catalog's and the extension's own, and with check_owner 42501 unless the caller owns it.
void require_manageable_table(pg::Spi& spi, Oid relid, const char* argument, bool check_owner);

}  // namespace pgdb::triggers
