// What a recorded spec makes of its table's columns when they are renamed or dropped (the event
// triggers in follow_pg.cpp): which columns its arguments name, and the spec with one of them
// renamed, and the text edits of a condition that names a renamed column. PG-free: where the
// condition names the column is found by PostgreSQL's scanner (follow_condition_pg.cpp).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/json.hpp"

namespace pgdb::triggers {

// The columns a canonical spec's arguments name, in the order they appear: column_name of
// updated_at, soft_delete, row_version, fsm and search_vector, the source columns (keys of
// columns) of search_vector, columns or except_columns of read_only. Not the condition's: a
// column named in a WHEN clause is PostgreSQL's dependency, and manage_trigger's args are the
// user's function's business.
std::vector<std::string> spec_columns(const Json& spec);

// Renames column `from` to `to` wherever the spec's arguments name it (as spec_columns lists
// them); returns whether anything changed.
bool rename_spec_column(Json& spec, const std::string& from, const std::string& to);

// Where a condition names a column: the bytes [start, end) of its identifier; end is -1 for a
// spelling that is not rewritten (U&"...", a quoted name that never closes).
struct NameSpan {
  int start;
  int end;
};

// Where the identifier that starts at text[start] ends: after the closing quote of a quoted one,
// after the last identifier character (letter, digit, _, $ or a byte of a multibyte character) of
// a plain one; -1 for U&"..." and a quote that never closes. Plain C: the scanner's loop calls it.
int identifier_end(const char* text, int start) noexcept;

// The condition with each span (in order, none overlapping) replaced by the new name: quoted, as
// "to" with its quotes doubled, where the span was quoted (as the user wrote it), else as plain_to
// (the name as quote_identifier spells it: quoted only when it must be). nullopt when a span's end
// is -1: never a partial rewrite.
std::optional<std::string> replace_names(const std::string& condition,
                                         const std::vector<NameSpan>& spans, const std::string& to,
                                         const std::string& plain_to);

}  // namespace pgdb::triggers
