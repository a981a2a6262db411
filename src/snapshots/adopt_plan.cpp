#include "snapshots/adopt_plan.hpp"

#include <algorithm>
#include <cctype>

#include "core/pg_free.hpp"

namespace pgdb::snapshots {

namespace {

const std::string* text_of(const Json& object, std::string_view key) {
  const Json* value = object.find(key);
  return value != nullptr && value->type == Json::Type::string ? &value->text : nullptr;
}

const std::vector<Json>& items_of(const Json& object, std::string_view key) {
  static const std::vector<Json> none;
  const Json* value = object.find(key);
  return value != nullptr && value->type == Json::Type::array ? value->items : none;
}

bool is_integer(std::string_view text, bool allow_sign) {
  if (allow_sign && !text.empty() && text.front() == '-') text.remove_prefix(1);
  return !text.empty() && text.size() <= 19 &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Reads one identifier at `pos` as quote_identifier writes it: "..." with "" for a quote, or a
// bare lower-case name.
std::optional<std::string> read_identifier(const std::string& text, std::size_t& pos) {
  if (pos < text.size() && text[pos] == '"') {
    std::string name;
    for (++pos; pos < text.size(); ++pos) {
      if (text[pos] != '"') {
        name += text[pos];
      } else if (pos + 1 < text.size() && text[pos + 1] == '"') {
        name += '"';
        ++pos;
      } else {
        ++pos;
        return name.empty() ? std::nullopt : std::optional(name);
      }
    }
    return std::nullopt;
  }
  std::size_t start = pos;
  while (pos < text.size() && ((text[pos] >= 'a' && text[pos] <= 'z') || text[pos] == '_' ||
                               (pos > start && text[pos] >= '0' && text[pos] <= '9')))
    ++pos;
  if (pos == start) return std::nullopt;
  return text.substr(start, pos - start);
}

bool consume(const std::string& text, std::size_t& pos, std::string_view word) {
  if (text.compare(pos, word.size(), word) != 0) return false;
  pos += word.size();
  return true;
}

}  // namespace

std::optional<std::string> key_constraint_definition(const std::string& definition,
                                                     const std::vector<std::string>& columns,
                                                     KeywordLookup keywords) {
  std::size_t pos = 0;
  std::string out;
  if (consume(definition, pos, "PRIMARY KEY ("))
    out = "PRIMARY KEY (";
  else if (consume(definition, pos, "UNIQUE NULLS NOT DISTINCT ("))
    out = "UNIQUE NULLS NOT DISTINCT (";
  else if (consume(definition, pos, "UNIQUE ("))
    out = "UNIQUE (";
  else
    return std::nullopt;
  for (bool first = true;; first = false) {
    if (!first && !consume(definition, pos, ", ")) break;
    std::optional<std::string> name = read_identifier(definition, pos);
    if (!name || std::find(columns.begin(), columns.end(), *name) == columns.end())
      return std::nullopt;
    out += (first ? "" : ", ") + quote_identifier(*name, keywords);
  }
  if (!consume(definition, pos, ")")) return std::nullopt;
  out += ")";
  if (consume(definition, pos, " DEFERRABLE INITIALLY DEFERRED"))
    out += " DEFERRABLE INITIALLY DEFERRED";
  else if (consume(definition, pos, " DEFERRABLE"))
    out += " DEFERRABLE";
  return pos == definition.size() ? std::optional(out) : std::nullopt;
}

bool sequence_options_valid(const std::string& options) {
  static const std::vector<std::string> words{"INCREMENT BY ", " MINVALUE ", " MAXVALUE ",
                                              " START WITH ", " CACHE "};
  std::size_t pos = 0;
  for (const std::string& word : words) {
    if (!consume(options, pos, word)) return false;
    std::size_t end = options.find(' ', pos);
    if (end == std::string::npos || !is_integer(options.substr(pos, end - pos), true)) return false;
    pos = end;
  }
  return options.compare(pos, std::string::npos, " CYCLE") == 0 ||
         options.compare(pos, std::string::npos, " NO CYCLE") == 0;
}

namespace {

Json adopted_column(const CopyColumn& column, const Json* recorded) {
  Json out = Json::object();
  out.set("name", Json::from_string(column.name));
  out.set("type", Json::from_string(column.type));
  const Json* not_null = recorded != nullptr ? recorded->find("not_null") : nullptr;
  out.set("not_null", Json::from_bool(not_null != nullptr &&
                                      not_null->type == Json::Type::boolean && not_null->boolean));
  out.set("collation",
          column.collation ? Json::from_string(*column.collation) : Json::null_value());
  for (const char* code : {"default", "generated"}) {
    const std::string* text = recorded != nullptr ? text_of(*recorded, code) : nullptr;
    out.set(code, text != nullptr ? Json::from_string(*text) : Json::null_value());
  }
  const std::string* identity = recorded != nullptr ? text_of(*recorded, "identity") : nullptr;
  out.set("identity", identity != nullptr && (*identity == "a" || *identity == "d")
                          ? Json::from_string(*identity)
                          : Json::null_value());
  return out;
}

bool valid_sequence(const Json& seq, const std::vector<std::string>& names) {
  const std::string* column = text_of(seq, "column");
  const std::string* name = text_of(seq, "name");
  const std::string* data_type = text_of(seq, "data_type");
  const std::string* options = text_of(seq, "options");
  const Json* last = seq.find("last_value");
  return column != nullptr && std::find(names.begin(), names.end(), *column) != names.end() &&
         name != nullptr && !name->empty() && data_type != nullptr &&
         (*data_type == "smallint" || *data_type == "integer" || *data_type == "bigint") &&
         options != nullptr && sequence_options_valid(*options) &&
         (last == nullptr || last->type == Json::Type::null ||
          (last->type == Json::Type::number && is_integer(last->text, true)));
}

// The recorded check, exclusion, primary key and unique constraints that still fit the columns
// (keys narrowed to the columns kept); what does not fit is named in dropped.
Json adopted_constraints(const Json& recorded, const std::vector<std::string>& names,
                         KeywordLookup keywords, std::vector<std::string>& dropped) {
  auto q = [keywords](const std::string& name) { return quote_identifier(name, keywords); };
  Json constraints = Json::array();
  for (const Json& c : items_of(recorded, "constraints")) {
    const std::string* name = text_of(c, "name");
    const std::string* type = text_of(c, "type");
    const std::string* def = text_of(c, "definition");
    if (name == nullptr || type == nullptr || def == nullptr) continue;
    std::optional<std::string> kept;
    if (*type == "c" || *type == "x") kept = *def;  // the adopting role's code (see "owner")
    if (*type == "p" || *type == "u") kept = key_constraint_definition(*def, names, keywords);
    if (!kept) {
      dropped.push_back("constraint " + q(*name));
      continue;
    }
    Json entry = Json::object();
    entry.set("name", Json::from_string(*name));
    entry.set("type", Json::from_string(*type));
    entry.set("definition", Json::from_string(*kept));
    constraints.items.push_back(std::move(entry));
  }
  return constraints;
}

// The recorded indexes, as their definitions.
Json adopted_indexes(const Json& recorded) {
  Json indexes = Json::array();
  for (const Json& index : items_of(recorded, "indexes")) {
    const std::string* name = text_of(index, "name");
    const std::string* def = text_of(index, "definition");
    if (name == nullptr || def == nullptr) continue;
    const Json* unique = index.find("unique");
    Json entry = Json::object();
    entry.set("name", Json::from_string(*name));
    entry.set("unique", Json::from_bool(unique != nullptr && unique->type == Json::Type::boolean &&
                                        unique->boolean));
    entry.set("expressions", Json::from_bool(true));
    entry.set("definition", Json::from_string(*def));
    indexes.items.push_back(std::move(entry));
  }
  return indexes;
}

// The recorded sequences of columns that are kept, with their last values; others are named in
// dropped.
Json adopted_sequences(const Json& recorded, const std::vector<std::string>& names,
                       KeywordLookup keywords, std::vector<std::string>& dropped) {
  auto q = [keywords](const std::string& name) { return quote_identifier(name, keywords); };
  Json sequences = Json::array();
  for (const Json& seq : items_of(recorded, "sequences")) {
    const std::string* column = text_of(seq, "column");
    if (!valid_sequence(seq, names)) {
      dropped.push_back("the sequence of column " + (column != nullptr ? q(*column) : "(unknown)"));
      continue;
    }
    const Json* identity = seq.find("identity");
    const Json* recorded_value = seq.find("recorded");
    const Json* last = seq.find("last_value");
    bool has_value = recorded_value != nullptr && recorded_value->type == Json::Type::boolean &&
                     recorded_value->boolean;
    Json entry = Json::object();
    entry.set("column", Json::from_string(*column));
    entry.set("name", Json::from_string(*text_of(seq, "name")));
    entry.set("identity",
              Json::from_bool(identity != nullptr && identity->type == Json::Type::boolean &&
                              identity->boolean));
    entry.set("data_type", Json::from_string(*text_of(seq, "data_type")));
    entry.set("options", Json::from_string(*text_of(seq, "options")));
    entry.set("recorded", Json::from_bool(has_value));
    entry.set("last_value", has_value && last != nullptr && last->type == Json::Type::number
                                ? Json::from_number(last->text)
                                : Json::null_value());
    sequences.items.push_back(std::move(entry));
  }
  return sequences;
}

}  // namespace

Json adopted_definition(const Json& recorded, const std::vector<CopyColumn>& columns,
                        const std::string& owner, KeywordLookup keywords,
                        std::vector<std::string>& dropped) {
  std::vector<std::string> names;
  for (const CopyColumn& c : columns) names.push_back(c.name);
  Json out = Json::object();
  out.set("relkind", Json::from_string("r"));
  out.set("owner", Json::from_string(owner));
  out.set("partition_key", Json::null_value());

  Json out_columns = Json::array();
  for (const CopyColumn& column : columns) {
    const Json* match = nullptr;
    for (const Json& c : items_of(recorded, "columns"))
      if (const std::string* name = text_of(c, "name"); name != nullptr && *name == column.name)
        match = &c;
    out_columns.items.push_back(adopted_column(column, match));
  }
  out.set("columns", std::move(out_columns));

  Json key = Json::array();
  for (const Json& k : items_of(recorded, "primary_key"))
    if (k.type == Json::Type::string &&
        std::find(names.begin(), names.end(), k.text) != names.end())
      key.items.push_back(Json::from_string(k.text));
  out.set("primary_key", key.items.empty() ? Json::null_value() : std::move(key));

  out.set("constraints", adopted_constraints(recorded, names, keywords, dropped));
  out.set("indexes", adopted_indexes(recorded));
  out.set("sequences", adopted_sequences(recorded, names, keywords, dropped));
  return out;
}

}  // namespace pgdb::snapshots
