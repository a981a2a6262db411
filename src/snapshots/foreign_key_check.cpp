// The foreign key check of the bulk reload (foreign_key_check.hpp). PG-free.
#include "snapshots/foreign_key_check.hpp"

#include <algorithm>

#include "core/pg_free.hpp"

namespace pgdb::snapshots {

namespace {

std::string operand(const std::string& column, const std::string& cast) {
  return cast.empty() ? column : "(" + column + ")::" + cast;
}

std::string joined(const ForeignKey& key, const std::string& separator,
                   std::string (*item)(const ForeignKeyColumn&)) {
  std::string out;
  for (const ForeignKeyColumn& c : key.columns) out += (out.empty() ? "" : separator) + item(c);
  return out;
}

}  // namespace

std::string violation_query(const ForeignKey& key) {
  std::string join;
  for (const ForeignKeyColumn& c : key.columns) {
    join += (join.empty() ? "" : " AND ") +
            operand("pk." + c.referenced_quoted, c.referenced_cast) + " OPERATOR(" + c.equality +
            ") " + operand("fk." + c.referencing_quoted, c.referencing_cast);
    if (!c.collation.empty()) join += " COLLATE " + c.collation;
  }
  std::string values = joined(key, ", ", [](const ForeignKeyColumn& c) {
    return "fk." + c.referencing_quoted + "::pg_catalog.text";
  });
  // A NULL in the joined referenced row's first key column means no row matched: key columns of
  // a matching row equal the referencing values, which are not NULL.
  std::string unmatched = "pk." + key.columns.front().referenced_quoted + " IS NULL";
  std::string checked = joined(
      key, key.match_full ? " OR " : " AND ",
      [](const ForeignKeyColumn& c) { return "fk." + c.referencing_quoted + " IS NOT NULL"; });
  return "SELECT " + values + " FROM ONLY " + key.referencing_table + " fk LEFT OUTER JOIN " +
         (key.referenced_partitioned ? "" : "ONLY ") + key.referenced_table + " pk ON (" + join +
         ") WHERE " + unmatched + " AND (" + checked + ") LIMIT 1";
}

std::string violation_detail(const ForeignKey& key,
                             const std::vector<std::optional<std::string>>& values) {
  bool some_null = std::any_of(values.begin(), values.end(),
                               [](const std::optional<std::string>& v) { return !v.has_value(); });
  if (key.match_full && some_null)
    return "MATCH FULL does not allow mixing of null and nonnull key values.";
  std::string names = joined(key, ", ", [](const ForeignKeyColumn& c) { return c.referencing; });
  std::string shown;
  for (const std::optional<std::string>& v : values)
    shown += (shown.empty() ? "" : ", ") + v.value_or("null");
  return "Key (" + names + ")=(" + shown + ") is not present in table " + key.referenced_table +
         ".";
}

std::optional<std::string> foreign_key_refusal(const std::vector<ForeignKeyFacts>& keys) {
  for (const ForeignKeyFacts& key : keys) {
    if (key.deferrable)
      return "a foreign key of it is deferrable (its check may be deferred to commit)";
    if (key.xact_snapshot)
      return "the transaction is REPEATABLE READ or SERIALIZABLE: a check after the load would "
             "read the referenced table as of the transaction's snapshot and miss a referenced "
             "row deleted since (the per-row check locks each referenced row)";
    if (!key.referenced_readable)
      return "its owner cannot read a referenced table's key without row-level security (the "
             "check runs per row, as the referenced table's owner)";
  }
  return std::nullopt;
}

}  // namespace pgdb::snapshots
