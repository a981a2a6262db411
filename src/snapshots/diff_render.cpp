#include "snapshots/diff_render.hpp"

#include <algorithm>

#include "core/pg_free.hpp"

namespace pgdb::snapshots {

std::vector<std::string> columns_missing(const std::vector<std::string>& of,
                                         const std::vector<std::string>& in) {
  std::vector<std::string> missing;
  for (const std::string& name : of)
    if (std::find(in.begin(), in.end(), name) == in.end()) missing.push_back(name);
  return missing;
}

std::string diff_query(const std::vector<DiffKey>& key, const std::string& stored,
                       const std::string& live, KeywordLookup keywords, bool force_quotes) {
  std::string key_object, key_columns, join, order;
  for (std::size_t i = 0; i < key.size(); ++i) {
    std::string k = quote_identifier(key[i].column, keywords, force_quotes);
    std::string n = std::to_string(i);
    key_object += (i ? ", " : "") + quote_literal(key[i].column) + ", r." + k;
    key_columns += ", r." + k + " AS k" + n;
    join += std::string(i ? " AND " : "") + "s.k" + n + " " + key[i].equality + " l.k" + n;
    order += "coalesce(l.k" + n + ", s.k" + n + "), ";
  }
  auto side = [&](const std::string& from) {
    // r.* is the whole row even when the table has a column named r.
    return "(SELECT pg_catalog.to_jsonb(r.*) AS j, pg_catalog.jsonb_build_object(" + key_object +
           ") AS k" + key_columns + " FROM " + from + " r)";
  };
  return "SELECT CASE WHEN s.j IS NULL THEN 'added' WHEN l.j IS NULL THEN 'removed' ELSE "
         "'changed' END, "
         "       coalesce(l.k, s.k), s.j, l.j "
         "  FROM " +
         side(stored) + " s FULL JOIN " + side(live) + " l ON " + join +
         " WHERE s.j IS NULL OR l.j IS NULL "
         "    OR (s.j OPERATOR(pg_catalog.-) $1::text[]) IS DISTINCT FROM (l.j "
         "OPERATOR(pg_catalog.-) $2::text[]) "
         " ORDER BY " +
         order + "1";
}

}  // namespace pgdb::snapshots
