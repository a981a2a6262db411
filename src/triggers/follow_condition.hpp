// A managed trigger's condition (its WHEN clause, as recorded) with a renamed column of OLD and
// NEW renamed, read with PostgreSQL's own scanner (follow_condition_pg.cpp).
#pragma once

#include <optional>
#include <string>

namespace pgdb::triggers {

// The condition with column `from` of OLD and NEW renamed to `to` (any case, quoted or not,
// comments and blanks between); nullopt when it names it in no form this can rewrite.
std::optional<std::string> rename_in_condition(const std::string& condition,
                                               const std::string& from, const std::string& to);

}  // namespace pgdb::triggers
