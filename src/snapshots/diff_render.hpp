// snapshot_diff's SQL text, PG-free: the stored copy and the live table matched by primary key,
// each row as jsonb. The catalog facts (the key, the key columns' equality operators, the
// columns only one side has) are read by snapshot_diff (restore_pg.cpp).
#pragma once

#include <string>
#include <vector>

#include "core/quote.hpp"

namespace pgdb::snapshots {

// A primary key column and how the two sides' values are compared: an operator written with its
// schema ("OPERATOR(pg_catalog.=)") or "IS NOT DISTINCT FROM".
struct DiffKey {
  std::string column;
  std::string equality;
};

// The names of `of` that `in` lacks, in the order of `of`.
std::vector<std::string> columns_missing(const std::vector<std::string>& of,
                                         const std::vector<std::string>& in);

// The query of snapshot_diff: one row (change, key, snapshot row, live row) per key whose rows
// differ, 'added', 'removed' or 'changed', ordered by key. `stored` and `live` are the quoted
// relations read (the copy's view, the table, ONLY for a table that is not partitioned).
// Parameters: $1 the columns only the snapshot has, $2 those only the table has (text[]), left
// out of the comparison. Every operator is schema-qualified and every identifier quoted with
// `keywords` (force_quotes: quote_all_identifiers), so the text means the same under any
// search_path.
std::string diff_query(const std::vector<DiffKey>& key, const std::string& stored,
                       const std::string& live, KeywordLookup keywords, bool force_quotes);

}  // namespace pgdb::snapshots
