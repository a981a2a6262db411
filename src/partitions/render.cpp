#include "partitions/render.hpp"

#include "core/pg_free.hpp"

namespace pgdb::partitions {

std::string Quoting::ident(std::string_view name) const {
  return quote_identifier(name, keywords, force_quotes);
}

std::string Quoting::table(std::string_view schema, std::string_view name) const {
  return ident(schema) + "." + ident(name);
}

std::string bound_sql(Key key, ControlType type, const std::string& time_zone) {
  if (key == key_min) return "MINVALUE";
  if (key == key_max) return "MAXVALUE";
  switch (type) {
    case ControlType::int4:
    case ControlType::int8:
      return std::to_string(key);
    case ControlType::date:
      return "DATE " + quote_literal(local_text(key, true));
    case ControlType::timestamp:
      return "TIMESTAMP " + quote_literal(local_text(key, false));
    case ControlType::timestamptz:
      break;
  }
  return "(TIMESTAMP " + quote_literal(local_text(key, false)) + " AT TIME ZONE " +
         quote_literal(time_zone) + ")";
}

std::string minutes_of(const std::string& local) { return local.substr(0, local.size() - 10); }

std::string shown_bound(Key key, ControlType type) {
  if (key == key_min) return "MINVALUE";
  if (key == key_max) return "MAXVALUE";
  if (!is_time(type)) return std::to_string(key);
  if (type == ControlType::date) return local_text(key, true);
  return minutes_of(local_text(key, false));
}

std::string shown_range(Key lower, Key upper, ControlType type, const std::string& time_zone) {
  std::string text = "[" + shown_bound(lower, type) + ", " + shown_bound(upper, type) + ")";
  if (type == ControlType::timestamptz) text += " " + time_zone;
  return text;
}

std::string moved_rows_detail(std::int64_t rows) {
  return std::to_string(rows) + (rows == 1 ? " row" : " rows") + " from the default partition";
}

namespace {

// The names and texts every statement of one set's pass is made of.
struct SetSql {
  const SetFacts& facts;
  const Quoting& quoting;
  std::string parent;  // schema.name
  std::string schema;
  std::string column;

  SetSql(const SetFacts& f, const Quoting& q)
      : facts(f),
        quoting(q),
        parent(q.table(f.settings.schema, f.settings.name)),
        schema(q.ident(f.settings.schema)),
        column(q.ident(f.settings.control)) {}

  std::string target(const std::string& name) const { return schema + "." + quoting.ident(name); }
  std::string bound(Key key) const { return bound_sql(key, facts.type, facts.settings.time_zone); }
  std::string range(const Action& a) const {
    return "FROM (" + bound(a.lower) + ") TO (" + bound(a.upper) + ")";
  }
  std::string shown(const Action& a) const {
    return shown_range(a.lower, a.upper, facts.type, facts.settings.time_zone);
  }
};

// The owner and grants a new partition takes from the parent.
std::vector<std::string> adoption_sql(const SetSql& set, const std::string& target) {
  std::vector<std::string> statements;
  const Adoption& adoption = set.facts.adoption;
  if (adoption.owner)
    statements.push_back("ALTER TABLE " + target + " OWNER TO " +
                         set.quoting.ident(*adoption.owner));
  for (const Grant& grant : adoption.grants)
    statements.push_back("GRANT " + grant.privilege + " ON " + target + " TO " +
                         (grant.grantee ? set.quoting.ident(*grant.grantee) : "PUBLIC") +
                         (grant.grantable ? " WITH GRANT OPTION" : ""));
  return statements;
}

// " WITH (...) TABLESPACE ..." for a new partition's CREATE TABLE; empty when nothing is copied.
std::string storage_clause(const SetSql& set) {
  const Properties& p = set.facts.adoption.properties;
  std::string options;
  auto add = [&](const std::vector<std::string>& entries, const std::string& prefix) {
    for (const std::string& entry : entries) {
      std::size_t equals = entry.find('=');
      if (equals == std::string::npos) continue;
      options += (options.empty() ? "" : ", ") + prefix + entry.substr(0, equals) + " = " +
                 quote_literal(entry.substr(equals + 1));
    }
  };
  add(p.reloptions, "");
  add(p.toast_reloptions, "toast.");
  std::string clause = options.empty() ? "" : " WITH (" + options + ")";
  if (p.tablespace) clause += " TABLESPACE " + set.quoting.ident(*p.tablespace);
  return clause;
}

// REPLICA IDENTITY USING INDEX of the source partition: the new partition's index of the same
// parent index, whose name PostgreSQL chooses when it creates it, is looked up once it exists.
std::string replica_index_sql(const SetSql& set, const std::string& target) {
  const std::string& parent_index = set.facts.adoption.properties.replica_index_parent;
  std::string body =
      "DECLARE i pg_catalog.name; BEGIN SELECT c.relname INTO i FROM pg_catalog.pg_inherits h "
      "JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) h.inhrelid "
      "JOIN pg_catalog.pg_index x ON x.indexrelid OPERATOR(pg_catalog.=) c.oid "
      "WHERE h.inhparent OPERATOR(pg_catalog.=) " +
      quote_literal(parent_index) + "::pg_catalog.regclass AND x.indrelid OPERATOR(pg_catalog.=) " +
      quote_literal(target) + "::pg_catalog.regclass; IF i IS NOT NULL THEN EXECUTE " +
      quote_literal("ALTER TABLE " + target + " REPLICA IDENTITY USING INDEX ") +
      " OPERATOR(pg_catalog.||) pg_catalog.quote_ident(i); END IF; END";
  return "DO " + quote_literal(body);
}

std::vector<std::string> with_adoption(const SetSql& set, const std::string& target,
                                       std::string statement) {
  std::vector<std::string> statements{std::move(statement)};
  char identity = set.facts.adoption.properties.replica_identity;
  if (identity == 'f' || identity == 'n')
    statements.push_back("ALTER TABLE " + target + " REPLICA IDENTITY " +
                         (identity == 'f' ? "FULL" : "NOTHING"));
  if (identity == 'i') statements.push_back(replica_index_sql(set, target));
  for (std::string& grant : adoption_sql(set, target)) statements.push_back(std::move(grant));
  return statements;
}

std::string joined_columns(const SetSql& set, const std::vector<std::string>& columns) {
  std::string text;
  for (const std::string& column : columns)
    text += (text.empty() ? "" : ", ") + set.quoting.ident(column);
  return text;
}

// The new partition is built beside the set, filled from the default, then attached.
RenderedStep move_step(const SetSql& set, const Action& action) {
  const DefaultPartition& from = *set.facts.default_partition;
  RenderedStep step{action, {}, std::nullopt, {}, {}, {}, {}};
  if (from.referenced_by_foreign_keys) {
    // Rows leave the default by DELETE: foreign keys pointing at the parent would fire (ON DELETE
    // CASCADE would delete rows elsewhere).
    step.refusal = Error(sqlstate::object_not_in_prerequisite_state,
                         "rows in the default partition of " + set.parent +
                             " cannot be moved: foreign keys reference " + set.parent,
                         {}, "Move them into a new partition yourself, or empty the default.");
    return step;
  }
  std::string where = "true";
  if (action.lower != key_min) where += " AND " + set.column + " >= " + set.bound(action.lower);
  if (action.upper != key_max) where += " AND " + set.column + " < " + set.bound(action.upper);
  std::string source = set.target(from.name);
  std::string target = set.target(action.name);
  step.count_sql = "SELECT count(*)::int8 FROM " + source + " WHERE " + where;
  step.discard_sql = "DROP TABLE " + target;
  std::string columns = joined_columns(set, from.row_columns);
  step.statements = {
      "CREATE TABLE " + target + " (LIKE " + set.parent +
          " INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING GENERATED)" +
          storage_clause(set),
      "WITH moved AS (DELETE FROM " + source + " WHERE " + where + " RETURNING " + columns +
          ") INSERT INTO " + target + " (" + columns + ") SELECT " + columns + " FROM moved"};
  return step;
}

RenderedStep retire_step(const SetSql& set, const Action& action) {
  std::string target = set.target(action.name);
  std::string detach = "ALTER TABLE " + set.parent + " DETACH PARTITION " + target;
  RenderedStep step{action, set.shown(action), std::nullopt, {}, {}, {}, {}};
  if (action.kind == Action::Kind::drop) {
    step.statements = {"DROP TABLE " + target};
    if (set.facts.referenced_by_foreign_keys)
      step.statements.insert(step.statements.begin(), detach);
  } else if (action.kind == Action::Kind::detach) {
    step.statements = {detach};
  } else if (const std::optional<std::string>& archive = set.facts.settings.archive_schema) {
    step.statements = {detach,
                       "ALTER TABLE " + target + " SET SCHEMA " + set.quoting.ident(*archive)};
    step.detail += ", moved to schema " + *archive;
  } else {
    step.refusal =
        Error(sqlstate::invalid_parameter_value, "retention_mode archive needs archive_schema");
  }
  return step;
}

RenderedStep create_step(const SetSql& set, const Action& action) {
  std::string target = set.target(action.name);
  RenderedStep step{action, {}, std::nullopt, {}, {}, {}, {}};
  if (action.kind == Action::Kind::create_default) {
    step.detail = "DEFAULT";
    step.statements = with_adoption(set, target,
                                    "CREATE TABLE " + target + " PARTITION OF " + set.parent +
                                        " DEFAULT" + storage_clause(set));
    return step;
  }
  step.detail = set.shown(action);
  step.statements = with_adoption(set, target,
                                  "CREATE TABLE " + target + " PARTITION OF " + set.parent +
                                      " FOR VALUES " + set.range(action) + storage_clause(set));
  step.attach_statements = with_adoption(set, target,
                                         "ALTER TABLE " + set.parent + " ATTACH PARTITION " +
                                             target + " FOR VALUES " + set.range(action));
  return step;
}

}  // namespace

std::vector<RenderedStep> render(const SetFacts& facts, const std::vector<Action>& plan,
                                 const Quoting& quoting) {
  SetSql set(facts, quoting);
  bool default_has_rows = facts.default_partition && facts.default_partition->has_rows;
  std::vector<RenderedStep> steps;
  for (const Action& action : plan) {
    switch (action.kind) {
      case Action::Kind::move_rows:
        if (default_has_rows) steps.push_back(move_step(set, action));
        break;
      case Action::Kind::create:
      case Action::Kind::create_default:
        steps.push_back(create_step(set, action));
        break;
      case Action::Kind::drop:
      case Action::Kind::detach:
      case Action::Kind::archive:
        steps.push_back(retire_step(set, action));
        break;
    }
  }
  return steps;
}

}  // namespace pgdb::partitions
