// What snapshot_adopt keeps of a table definition that came with a restored dump. Rows of the
// snapshot catalog loaded by a role that is not a superuser (its pg_restore) are that role's
// claims, not the extension's records: the definition recorded there becomes DDL when the
// snapshot is restored into a schema, so it is rebuilt before it enters the catalog. PG-free.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/json.hpp"
#include "core/quote.hpp"

namespace pgdb::snapshots {

// A column of a stored copy as the server renders it (format_type, collation name): the only
// source of column types and collations of an adopted snapshot.
struct CopyColumn {
  std::string name;
  std::string type;
  std::optional<std::string> collation;  // when not the type's default
};

// The definition an adopted snapshot is recorded with, from the one that came with the dump and
// the columns of its copy:
// - columns, types and collations are the copy's; NOT NULL, identity ('a'/'d') and the texts of
//   defaults and generation expressions come from the dump, matched by column name;
// - "owner" is `owner`, the adopting role: every text that came with the dump counts as its code,
//   so snapshot_restore(target_schema) recreates defaults, generated columns, CHECK and exclusion
//   constraints and indexes only for roles whose every right it holds;
// - PRIMARY KEY and UNIQUE constraints are kept only when they parse as a list of the copy's
//   columns (then written anew, quoted), since they are recreated for every restorer; every index
//   is marked as holding expressions (recreated for those roles only);
// - owned sequences are kept only with a known data type and options of the form
//   _snapshot_definition writes, and foreign keys and partition keys are left out.
// `dropped` receives what was left out, for the caller to report.
Json adopted_definition(const Json& recorded, const std::vector<CopyColumn>& columns,
                        const std::string& owner, KeywordLookup keywords,
                        std::vector<std::string>& dropped);

// The column names of a PRIMARY KEY or UNIQUE constraint definition as pg_get_constraintdef
// writes it ("PRIMARY KEY (id)", "UNIQUE NULLS NOT DISTINCT (a, \"B\")", optionally followed by
// DEFERRABLE [INITIALLY DEFERRED]), rendered anew; nullopt for anything else.
std::optional<std::string> key_constraint_definition(const std::string& definition,
                                                     const std::vector<std::string>& columns,
                                                     KeywordLookup keywords);

// Whether `options` is exactly what _snapshot_definition records for a sequence:
// "INCREMENT BY n MINVALUE n MAXVALUE n START WITH n CACHE n [NO ]CYCLE".
bool sequence_options_valid(const std::string& options);

}  // namespace pgdb::snapshots
