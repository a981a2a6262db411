#include "partitions/existing.hpp"

#include <charconv>
#include <set>

#include "core/naming.hpp"
#include "core/pg_free.hpp"
#include "core/quote.hpp"
#include "partitions/planner.hpp"

namespace pgdb::partitions {

namespace {

constexpr std::string_view feature_not_supported = "0A000";
constexpr std::string_view dependent_objects_still_exist = "2BP01";
constexpr std::string_view not_null_violation = "23502";

std::string joined(const std::vector<std::string>& items) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

}  // namespace

namespace {

// Builds the refusals of one table: "cannot convert <table> into a partition set: <why>".
struct Refusal {
  std::string table;
  std::string column;
  Error operator()(std::string_view state, const std::string& why, const std::string& hint) const {
    return Error(state, "cannot convert " + table + " into a partition set: " + why, {}, hint);
  }
};

// What kind of table it is, and its control column.
std::optional<Error> kind_refusal(const ExistingTable& t, const Refusal& refuse) {
  const std::string& table = refuse.table;
  const std::string& column = refuse.column;
  if (t.relkind == 'p')
    return refuse(sqlstate::wrong_object_type, "it is partitioned already",
                  "Register it with pgdb_tools.create_partitioned().");
  if (t.relkind != 'r')
    return refuse(sqlstate::wrong_object_type, "it is not a table", "Pass an ordinary table.");
  if (t.persistence == 't')
    return refuse(feature_not_supported, "it is a temporary table", "Convert a permanent table.");
  if (t.persistence == 'u')
    return refuse(feature_not_supported, "it is unlogged",
                  "ALTER TABLE " + table + " SET LOGGED first.");
  if (t.is_partition)
    return refuse(feature_not_supported, "it is a partition of another table",
                  "Manage its parent with create_partitioned().");
  if (t.inheritance)
    return refuse(feature_not_supported, "it takes part in table inheritance",
                  "ALTER TABLE ... NO INHERIT first; a partition set cannot also inherit.");
  if (t.typed)
    return refuse(feature_not_supported, "it is a typed table (CREATE TABLE ... OF)",
                  "ALTER TABLE " + table + " NOT OF first.");
  if (t.extension_member)
    return refuse(feature_not_supported, "it belongs to an extension",
                  "Tables of extensions are theirs to change.");
  if (!t.control_exists)
    return Error(sqlstate::undefined_column,
                 "column " + column + " of table " + table + " does not exist");
  if (!t.type)
    return Error(
        "42804",
        "column " + column + " of table " + table + " has a type pgdb_tools cannot partition by",
        {}, "Use timestamptz, timestamp, date, integer or bigint.");
  return std::nullopt;
}

// Identity columns, NULLs, and unique keys without the control column.
std::optional<Error> rows_refusal(const ExistingTable& t, const Refusal& refuse, const Quoting& q) {
  const std::string& table = refuse.table;
  const std::string& column = refuse.column;
  if (!t.identity_columns.empty())
    return refuse(feature_not_supported,
                  "identity column " + joined(t.identity_columns) +
                      " would need its sequence moved to the new parent",
                  "Turn it into a column with a sequence default first: ALTER TABLE " + table +
                      " ALTER COLUMN <column> DROP IDENTITY, then CREATE SEQUENCE ... OWNED BY "
                      "that column, setval() it past the highest value and SET DEFAULT "
                      "nextval(...); serial columns are converted as they are.");
  if (t.has_nulls)
    return refuse(not_null_violation, "column " + column + " holds NULLs",
                  "No range partition takes a NULL " + column + ": fill them in (UPDATE ... SET " +
                      column + " = ... WHERE " + column +
                      " IS NULL) or delete those rows first, then ALTER TABLE " + table +
                      " ALTER COLUMN " + column + " SET NOT NULL.");
  for (const ExistingIndex& index : t.indexes) {
    if (!index.unique || index.keyed_on_control) continue;
    std::string what = index.constraint_type == 'p'   ? "primary key "
                       : index.constraint_type == 'u' ? "unique constraint "
                       : index.constraint_type == 'x' ? "exclusion constraint "
                                                      : "unique index ";
    std::string name = q.ident(index.name);
    std::string fix = index.constraint_type == 'p'
                          ? "ALTER TABLE " + table + " DROP CONSTRAINT " + name +
                                ", ADD PRIMARY KEY (<its columns>, " + column + ")"
                          : "recreate it with " + column + " among its columns";
    return refuse(feature_not_supported,
                  what + name + " does not include " + column +
                      ", and PostgreSQL enforces uniqueness on a partitioned table only over "
                      "keys that include the partition column",
                  "Make " + column + " part of it first: " + fix +
                      " (an index on the new columns first keeps the swap short).");
  }
  return std::nullopt;
}

// What depends on the table and would not follow it to the new parent.
std::optional<Error> dependents_refusal(const ExistingTable& t, const Refusal& refuse) {
  const std::string& column = refuse.column;
  if (!t.referenced_by.empty())
    return refuse(feature_not_supported, "foreign keys reference it: " + joined(t.referenced_by),
                  "A foreign key to a partitioned table must reference a key that includes " +
                      column +
                      ". Drop those foreign keys, convert, then add them back referencing (..., " +
                      column + ").");
  if (!t.views.empty())
    return refuse(dependent_objects_still_exist, "views depend on it: " + joined(t.views),
                  "They would go on reading the old table (its first partition) only. Drop them, "
                  "convert, then create them again.");
  if (!t.publications.empty())
    return refuse(feature_not_supported, "it is in publication " + joined(t.publications),
                  "ALTER PUBLICATION ... DROP TABLE first, then add the new parent (with "
                  "publish_via_partition_root as subscribers need).");
  if (!t.triggers.empty())
    return refuse(feature_not_supported, "it has triggers: " + joined(t.triggers),
                  "Only pgdb_tools' own triggers are moved to the new parent: drop these, "
                  "convert, then create them on the partitioned table again.");
  if (!t.rules.empty())
    return refuse(feature_not_supported, "it has rules: " + joined(t.rules),
                  "Partitioned tables take no rules: drop them first.");
  return std::nullopt;
}

}  // namespace

std::optional<Error> existing_refusal(const ExistingTable& t, const Quoting& q) {
  Refusal refuse{q.table(t.schema, t.name), q.ident(t.control)};
  if (std::optional<Error> refusal = kind_refusal(t, refuse)) return refusal;
  if (std::optional<Error> refusal = rows_refusal(t, refuse, q)) return refusal;
  return dependents_refusal(t, refuse);
}

Range existing_range(const ExistingTable& table, const Steps& steps, Key now, int margin) {
  Key lower = steps.floor(table.min ? *table.min : now);
  Key newest = table.max ? *table.max : now;
  if (margin > 0 && now > newest) newest = now;
  Key upper = steps.next(steps.floor(newest));
  for (int i = 0; i < margin && upper != key_max; ++i) upper = steps.next(upper);
  return {lower, upper};
}

ExistingPlan plan_existing(const ExistingTable& t, ControlType type, const std::string& time_zone,
                           const Steps& steps, Range range, const Quoting& q,
                           const ExistingLookups& lookups) {
  ExistingPlan plan;
  plan.lower = range.lower;
  plan.upper = range.upper;
  std::set<std::string> planned;
  auto taken = [&](const std::string& name) {
    return planned.count(name) > 0 || lookups.name_taken(name);
  };
  std::string label = steps.label(range.lower);
  plan.partition = partition_name(t.name, label, taken);
  planned.insert(plan.partition);
  plan.check_name = bounded_identifier(t.name + "_pgdb_existing");
  std::string table = q.table(t.schema, t.name);
  std::string partition = q.table(t.schema, plan.partition);
  std::string column = q.ident(t.control);
  std::string check = q.ident(plan.check_name);

  plan.prepare.push_back("ALTER TABLE " + table + " ADD CONSTRAINT " + check + " CHECK (" + column +
                         " IS NOT NULL AND " + column + " >= " + lookups.check_bound(range.lower) +
                         " AND " + column + " < " + lookups.check_bound(range.upper) +
                         ") NOT VALID");
  plan.prepare.push_back("ALTER TABLE " + table + " VALIDATE CONSTRAINT " + check);

  std::vector<std::string>& swap = plan.swap;
  // The old indexes (and the constraints they back) take names of their own, so that the
  // parent's take the names the application knows.
  for (const ExistingIndex& index : t.indexes) {
    std::string renamed = unique_name(index.name + "_p" + label, taken);
    planned.insert(renamed);
    swap.push_back(index.constraint_type ? "ALTER TABLE " + table + " RENAME CONSTRAINT " +
                                               q.ident(index.name) + " TO " + q.ident(renamed)
                                         : "ALTER INDEX " + q.table(t.schema, index.name) +
                                               " RENAME TO " + q.ident(renamed));
  }
  swap.push_back("ALTER TABLE " + table + " RENAME TO " + q.ident(plan.partition));
  swap.push_back("CREATE TABLE " + table + " (LIKE " + partition +
                 " INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED INCLUDING "
                 "STORAGE INCLUDING COMMENTS INCLUDING COMPRESSION) PARTITION BY RANGE (" +
                 column + ")");
  swap.push_back("ALTER TABLE " + table + " DROP CONSTRAINT " + check);
  // Built on the empty parent, they take no time; ATTACH adopts the old table's matching ones.
  for (const ExistingIndex& index : t.indexes)
    swap.push_back(index.constraint_type ? "ALTER TABLE " + table + " ADD CONSTRAINT " +
                                               q.ident(index.name) + " " + index.definition
                                         : index.definition);
  for (const ExistingConstraint& fk : t.foreign_keys)
    swap.push_back("ALTER TABLE " + table + " ADD CONSTRAINT " + q.ident(fk.name) + " " +
                   fk.definition);
  for (const OwnedSequence& seq : t.sequences)
    swap.push_back("ALTER SEQUENCE " + q.table(seq.schema, seq.name) + " OWNED BY " + table + "." +
                   q.ident(seq.column));
  for (const Grant& grant : t.grants)
    swap.push_back("GRANT " + grant.privilege + " ON " + table + " TO " +
                   (grant.grantee ? q.ident(*grant.grantee) : "PUBLIC") +
                   (grant.grantable ? " WITH GRANT OPTION" : ""));
  if (t.row_security) swap.push_back("ALTER TABLE " + table + " ENABLE ROW LEVEL SECURITY");
  if (t.force_row_security) swap.push_back("ALTER TABLE " + table + " FORCE ROW LEVEL SECURITY");
  for (const ExistingPolicy& policy : t.policies) {
    std::string roles;
    for (const std::optional<std::string>& role : policy.roles)
      roles += (roles.empty() ? "" : ", ") + (role ? q.ident(*role) : std::string("PUBLIC"));
    std::string sql = "CREATE POLICY " + q.ident(policy.name) + " ON " + table + " AS " +
                      (policy.permissive ? "PERMISSIVE" : "RESTRICTIVE") + " FOR " +
                      policy.command + " TO " + (roles.empty() ? "PUBLIC" : roles);
    if (policy.using_expr) sql += " USING (" + *policy.using_expr + ")";
    if (policy.check_expr) sql += " WITH CHECK (" + *policy.check_expr + ")";
    swap.push_back(sql);
  }
  if (t.comment) swap.push_back("COMMENT ON TABLE " + table + " IS " + quote_literal(*t.comment));
  swap.push_back("ALTER TABLE " + table + " ATTACH PARTITION " + partition + " FOR VALUES FROM (" +
                 bound_sql(range.lower, type, time_zone) + ") TO (" +
                 bound_sql(range.upper, type, time_zone) + ")");
  swap.push_back("ALTER TABLE " + partition + " DROP CONSTRAINT " + check);
  return plan;
}

std::string range_comment(Range range) {
  return "pgdb_tools partition_existing range " + std::to_string(range.lower) + " " +
         std::to_string(range.upper);
}

std::optional<Range> parse_range_comment(const std::string& comment) {
  static const std::string prefix = "pgdb_tools partition_existing range ";
  if (comment.rfind(prefix, 0) != 0) return std::nullopt;
  std::string rest = comment.substr(prefix.size());
  std::size_t space = rest.find(' ');
  if (space == std::string::npos) return std::nullopt;
  Range range{};
  auto parse = [](std::string_view text, Key& out) {
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
    return error == std::errc() && end == text.data() + text.size() && !text.empty();
  };
  if (!parse(std::string_view(rest).substr(0, space), range.lower) ||
      !parse(std::string_view(rest).substr(space + 1), range.upper) || range.lower >= range.upper)
    return std::nullopt;
  return range;
}

}  // namespace pgdb::partitions
