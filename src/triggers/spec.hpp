// A managed trigger as the user declares it: the kind, the table and the kind's arguments, parsed
// from one element of apply_triggers' specs (the kind functions build the same objects). PG-free.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.hpp"

namespace pgdb::triggers {

struct Spec {
  std::string kind;
  std::string tbl;  // as given: a table name ("app.orders", "\"Mixed\"") or an OID as text
  std::optional<std::string> condition;
  std::optional<std::string> name;
  Json args;  // the kind's own arguments, each present, defaults applied, in declaration order

  const Json& arg(std::string_view key) const;  // one of the kind's declared arguments
};

// 42622 naming `what` when name is longer than a PostgreSQL identifier (63 bytes).
void require_trigger_name_length(std::string_view name, const std::string& what);

// "table.trigger" or "schema.table.trigger" as PostgreSQL reads a qualified name: parts split at
// dots outside double quotes, quoted parts kept as written ("" for a quote), unquoted ones
// lower-cased (ASCII) and trimmed of blanks. nullopt unless it is 2 or 3 non-empty parts.
std::optional<std::vector<std::string>> split_qualified_trigger(std::string_view name);

// The kinds apply_triggers accepts, in the order the docs list them.
const std::vector<std::string>& known_kinds();

// Parses the spec at position (1-based, for messages). Every problem raises 22023 naming the
// position, the kind and the key: not an object, unknown kind, unknown key, missing or mistyped
// argument.
Spec parse_spec(const Json& spec, std::size_t position);

// The spec as recorded in the catalog: kind, tbl (the resolved table), the kind's arguments,
// condition and the trigger's final name, so that two declarations of the same trigger compare
// equal however they were written.
Json canonical_spec(const Spec& spec, std::string_view resolved_table,
                    std::string_view trigger_name);

}  // namespace pgdb::triggers
