#include "snapshots/restore_plan.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "core/error.hpp"
#include "core/pg_free.hpp"

namespace pgdb::snapshots {

namespace {

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

const std::string* text_member(const Json& object, std::string_view key) {
  const Json* value = object.find(key);
  return value != nullptr && value->type == Json::Type::string ? &value->text : nullptr;
}

bool bool_member(const Json& object, std::string_view key) {
  const Json* value = object.find(key);
  return value != nullptr && value->type == Json::Type::boolean && value->boolean;
}

const std::vector<Json>& array_member(const Json& object, std::string_view key) {
  static const std::vector<Json> empty;
  const Json* value = object.find(key);
  return value != nullptr && value->type == Json::Type::array ? value->items : empty;
}

[[noreturn]] void bad_definition(const std::string& what) {
  throw Error(sqlstate::internal_error, "snapshot definition is damaged: " + what);
}

}  // namespace

ColumnMapping map_columns(const std::string& table, const std::vector<StoredColumn>& stored,
                          const std::vector<LiveColumn>& live, const Assignable& assignable) {
  std::map<std::string, const StoredColumn*> by_name;
  for (const StoredColumn& c : stored) by_name[c.name] = &c;
  ColumnMapping mapping;
  std::set<std::string> used;
  for (const LiveColumn& column : live) {
    auto found = by_name.find(column.name);
    if (found == by_name.end() || column.generated) {
      mapping.defaulted.push_back(column.name);
      if (found != by_name.end()) used.insert(column.name);
      continue;
    }
    const StoredColumn& source = *found->second;
    used.insert(column.name);
    if (source.type != column.type) {
      if (!assignable(source.type, column.type))
        throw Error("42804",
                    "column \"" + column.name + "\" of table " + table + " is now of type " +
                        column.type + ", which cannot hold the snapshot's " + source.type,
                    "No assignment cast leads from " + source.type + " to " + column.type + ".",
                    "Restore into another schema with target_schema and convert the data by hand.");
      mapping.retyped.push_back(column.name);
    }
    mapping.columns.push_back(column.name);
    if (column.identity_always) mapping.overriding_system_value = true;
  }
  for (const StoredColumn& c : stored)
    if (!used.count(c.name)) mapping.ignored.push_back(c.name);
  if (mapping.columns.empty())
    throw Error(sqlstate::object_not_in_prerequisite_state,
                "table " + table + " has no column left in common with its snapshot",
                "Snapshot columns: " + joined([&] {
                  std::vector<std::string> names;
                  for (const StoredColumn& c : stored) names.push_back(c.name);
                  return names;
                }()) +
                    ".",
                "Restore into another schema with target_schema.");
  return mapping;
}

std::optional<std::string> bulk_reload_refusal(const ColumnMapping& mapping,
                                               const ReloadFacts& facts) {
  if (facts.partitioned) return "it is partitioned (rows are routed to its partitions)";
  if (facts.partition) return "it is a partition (INSERT checks its bounds)";
  if (facts.insert_triggers) return "triggers fire on INSERT (kept triggers)";
  if (auto refusal = foreign_key_refusal(facts.foreign_keys)) return refusal;
  if (!facts.owner_may_insert) return "its owner does not hold INSERT on it";
  if (!mapping.retyped.empty()) return "columns changed type since the snapshot";
  if (!mapping.defaulted.empty()) return "columns are filled by the table (new or generated)";
  return std::nullopt;
}

std::vector<int> load_order(int count, const std::vector<std::pair<int, int>>& references) {
  if (count <= 0) return {};
  std::vector<std::set<int>> waits_for(count);
  for (auto [referencing, referenced] : references)
    if (referencing != referenced && referencing >= 0 && referencing < count && referenced >= 0 &&
        referenced < count)
      waits_for[referencing].insert(referenced);
  std::vector<int> order;
  std::vector<bool> placed(count, false);
  bool progress = true;
  while (progress) {
    progress = false;
    for (int i = 0; i < count; ++i) {
      if (placed[i]) continue;
      bool ready = std::all_of(waits_for[i].begin(), waits_for[i].end(),
                               [&](int parent) { return placed[parent]; });
      if (!ready) continue;
      placed[i] = true;
      order.push_back(i);
      progress = true;
    }
  }
  for (int i = 0; i < count; ++i)
    if (!placed[i]) order.push_back(i);
  return order;
}

// The constraints (but foreign keys) and indexes of the definition, as statements run after the
// load; what may run the snapshot owner's code is skipped unless trusted.
static void add_keys_and_indexes(const Json& definition, const std::string& qualified,
                                 KeywordLookup keywords, bool trusted, TargetDdl& ddl) {
  auto q = [keywords](std::string_view name) { return quote_identifier(name, keywords); };
  for (const Json& constraint : array_member(definition, "constraints")) {
    const std::string* name = text_member(constraint, "name");
    const std::string* type = text_member(constraint, "type");
    const std::string* def = text_member(constraint, "definition");
    if (name == nullptr || type == nullptr || def == nullptr) bad_definition("a constraint");
    if (*type == "f") continue;
    if (!trusted && (*type == "c" || *type == "x")) {
      ddl.skipped.push_back("constraint " + q(*name));
      continue;
    }
    ddl.after.push_back("ALTER TABLE " + qualified + " ADD CONSTRAINT " + q(*name) + " " + *def);
  }
  for (const Json& index : array_member(definition, "indexes")) {
    const std::string* name = text_member(index, "name");
    const std::string* def = text_member(index, "definition");
    if (name == nullptr || def == nullptr) bad_definition("an index");
    if (!trusted && bool_member(index, "expressions")) {
      ddl.skipped.push_back("index " + q(*name));
      continue;
    }
    ddl.after.push_back(std::string("CREATE ") + (bool_member(index, "unique") ? "UNIQUE " : "") +
                        "INDEX " + q(*name) + " ON " + qualified + " " + *def);
  }
}

TargetDdl target_ddl(const Json& definition, const std::string& schema, const std::string& table,
                     KeywordLookup keywords, bool trusted) {
  auto q = [keywords](std::string_view name) { return quote_identifier(name, keywords); };
  const std::string qualified = q(schema) + "." + q(table);
  TargetDdl ddl;

  // Owned sequences, by column: serial ones are created in the target schema; identity ones come
  // with their column.
  std::map<std::string, const Json*> sequence_of;
  for (const Json& seq : array_member(definition, "sequences")) {
    const std::string* column = text_member(seq, "column");
    if (column == nullptr) bad_definition("a sequence without its column");
    sequence_of[*column] = &seq;
  }

  std::string columns_sql;
  for (const Json& column : array_member(definition, "columns")) {
    const std::string* name = text_member(column, "name");
    const std::string* type = text_member(column, "type");
    if (name == nullptr || type == nullptr) bad_definition("a column without name or type");
    std::string sql = q(*name) + " " + *type;
    if (const std::string* collation = text_member(column, "collation"))
      sql += " COLLATE " + *collation;
    const std::string* generated = text_member(column, "generated");
    const std::string* identity = text_member(column, "identity");
    auto seq = sequence_of.find(*name);
    if (generated != nullptr && trusted) {
      sql += " GENERATED ALWAYS AS (" + *generated + ") STORED";
    } else {
      if (generated != nullptr)
        ddl.skipped.push_back("generation expression of column " + q(*name));
      ddl.load_columns.push_back(*name);
      if (identity != nullptr) {
        std::string options =
            seq != sequence_of.end() && text_member(*seq->second, "options") != nullptr
                ? " (" + *text_member(*seq->second, "options") + ")"
                : "";
        sql += *identity == "a" ? " GENERATED ALWAYS AS IDENTITY" + options
                                : " GENERATED BY DEFAULT AS IDENTITY" + options;
        if (*identity == "a") ddl.overriding_system_value = true;
      } else if (seq != sequence_of.end()) {
        const std::string* seq_name = text_member(*seq->second, "name");
        if (seq_name == nullptr) bad_definition("a sequence without its name");
        std::string seq_qualified = q(schema) + "." + q(*seq_name);
        const std::string* options = text_member(*seq->second, "options");
        const std::string* data_type = text_member(*seq->second, "data_type");
        ddl.before.push_back("CREATE SEQUENCE " + seq_qualified +
                             (data_type != nullptr ? " AS " + *data_type : "") +
                             (options != nullptr ? " " + *options : ""));
        sql += " DEFAULT pg_catalog.nextval(" + quote_literal(seq_qualified) +
               "::pg_catalog.regclass)";
        ddl.after.push_back("ALTER SEQUENCE " + seq_qualified + " OWNED BY " + qualified + "." +
                            q(*name));
      } else if (const std::string* default_expr = text_member(column, "default")) {
        if (trusted)
          sql += " DEFAULT " + *default_expr;
        else
          ddl.skipped.push_back("default of column " + q(*name));
      }
    }
    if (bool_member(column, "not_null")) sql += " NOT NULL";
    columns_sql += (columns_sql.empty() ? "" : ", ") + sql;
  }
  if (columns_sql.empty()) bad_definition("no columns");
  ddl.create_table = "CREATE TABLE " + qualified + " (" + columns_sql + ")";

  add_keys_and_indexes(definition, qualified, keywords, trusted, ddl);
  return ddl;
}

RowChanges compare_rows(std::vector<unsigned __int128>& current,
                        std::vector<unsigned __int128>& snapshot) {
  std::sort(current.begin(), current.end());
  std::sort(snapshot.begin(), snapshot.end());
  RowChanges changes;
  std::size_t i = 0, j = 0;
  while (i < current.size() && j < snapshot.size()) {
    if (current[i] == snapshot[j]) {
      ++i;
      ++j;
    } else if (current[i] < snapshot[j]) {
      ++changes.removed;
      ++i;
    } else {
      ++changes.reinstated;
      ++j;
    }
  }
  changes.removed += current.size() - i;
  changes.reinstated += snapshot.size() - j;
  return changes;
}

}  // namespace pgdb::snapshots
