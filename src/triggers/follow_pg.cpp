// Managed triggers follow their tables and columns (docs/triggers.md, "Renames and drops"). The
// registry names tables by schema and name, and specs name columns, as pg_dump and restore keep
// them (OIDs change across a dump), so every rename PostgreSQL does must be written into it:
//  - ALTER TABLE ... RENAME / SET SCHEMA and ALTER SCHEMA ... RENAME: the records move with their
//    table at ddl_command_start (before the names change, when the old ones still resolve), and
//    at ddl_command_end each spec is rendered again under the new name;
//  - ALTER TABLE ... RENAME COLUMN (on a partitioned table, on its partitions too): at
//    ddl_command_end every spec naming the column is rendered with the new name and, when its
//    trigger's arguments carry the name, the trigger is re-created; a condition naming it is
//    rewritten too (PostgreSQL already rewrote the WHEN clause itself);
//  - a column dropped that a spec needs (by any statement: ALTER TABLE, DROP TYPE ... CASCADE) is
//    refused at sql_drop, naming the trigger and how to remove it first.
// Only triggers whose status was `installed` before the statement are re-rendered and recorded
// as installed after it: a trigger modified by hand stays `modified`, one already broken stays so.
// Everything runs in the statement's own transaction, so a statement that fails or is rolled
// back takes the registry's changes (and re-created triggers) with it.
#include "triggers/follow.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/xact_journal.hpp"
#include "pg/guard.hpp"
#include "pg/jsonb.hpp"
#include "pg/quote.hpp"
#include "pg/relation.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"
#include "pg/subtransaction.hpp"
#include "pg/xact.hpp"
#include "triggers/catalog.hpp"
#include "triggers/follow_events.hpp"
#include "triggers/plan.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "commands/event_trigger.h"
#include "common/keywords.h"
#include "nodes/parsenodes.h"
#include "parser/scanner.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
}

namespace pgdb::triggers {

namespace {

// One managed trigger a statement touches, noted at ddl_command_start for ddl_command_end. The
// parse tree's address is what both events of one statement share, but a later statement of the
// same transaction may be parsed at the same address: each start opens a new generation (with a
// marker entry, relid 0, even when it notes nothing) and end takes only the latest generation of
// its address whose statement reads the same.
struct Followed {
  const void* statement;
  std::uint64_t generation;
  std::string signature;
  Oid relid;
  std::string trigger_name;
  bool installed;  // its status was `installed` before the statement
};

XactJournal<Followed> followed;

std::uint64_t last_generation = 0;

std::string name_of(const RangeVar* relation) {
  if (relation == nullptr) return "-";
  return std::string(relation->schemaname ? relation->schemaname : "") + "." +
         (relation->relname ? relation->relname : "");
}

// What the statement renames, to what: the same for both events of one statement.
std::string signature_of(const Node* tree) {
  if (IsA(tree, RenameStmt)) {
    auto* rename = reinterpret_cast<const RenameStmt*>(tree);
    return "rename " + std::to_string(rename->renameType) + " " +
           std::to_string(rename->relationType) + " " + name_of(rename->relation) + " " +
           (rename->subname ? rename->subname : "") + " " +
           (rename->newname ? rename->newname : "");
  }
  if (IsA(tree, AlterObjectSchemaStmt)) {
    auto* move = reinterpret_cast<const AlterObjectSchemaStmt*>(tree);
    return "move " + std::to_string(move->objectType) + " " + name_of(move->relation) + " " +
           (move->newschema ? move->newschema : "");
  }
  return {};
}

void register_journal() {
  static bool registered = false;
  if (registered) return;
  pg::register_xact_listener(followed);
  registered = true;
}

// Registry reads and writes run as the extension's owner (pg::AsExtensionOwner): the caller may
// have no USAGE on its schema, and every ALTER TABLE passes through here.

std::string oid_array(const std::vector<Oid>& relids) {
  std::string text = "{";
  for (std::size_t i = 0; i < relids.size(); ++i)
    text += (i ? "," : "") + std::to_string(relids[i]);
  return text + "}";
}

// Notes the managed triggers on the tables (or on every table of schema `nsp`) for the end of
// statement, with whether each is installed as recorded.
void note_triggers(pg::Spi& spi, const Node* statement, const std::vector<Oid>& relids,
                   Oid nsp = InvalidOid) {
  register_journal();
  std::uint64_t generation = ++last_generation;
  std::string signature = signature_of(statement);
  SubxactId subxact = pg::current_subxact();
  followed.add(subxact, Followed{statement, generation, signature, InvalidOid, {}, false});
  {
    pg::AsExtensionOwner as_owner(spi);
    spi.execute(
        "SELECT c.oid::pg_catalog.int8, v.trigger_name, v.status OPERATOR(pg_catalog.=) "
        "'installed' "
        "FROM pgdb_tools.triggers v "
        "JOIN pg_catalog.pg_namespace n ON n.nspname OPERATOR(pg_catalog.=) v.schema_name "
        "JOIN pg_catalog.pg_class c ON c.relnamespace OPERATOR(pg_catalog.=) n.oid "
        "                          AND c.relname OPERATOR(pg_catalog.=) v.table_name "
        "WHERE c.oid OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.oid[]) "
        "   OR n.oid OPERATOR(pg_catalog.=) $2 "
        "ORDER BY 1, 2",
        {pg::Param::text(oid_array(relids)), pg::Param::oid(nsp)});
  }
  for (std::uint64_t r = 0; r < spi.row_count(); ++r)
    followed.add(subxact, Followed{statement, generation, signature,
                                   static_cast<Oid>(spi.get_int64(r, 0).value()),
                                   spi.get_text(r, 1).value(), spi.get_bool(r, 2).value()});
}

// The table a statement names, when it is an ordinary or partitioned one; no lock is held yet.
Oid named_table(RangeVar* relation) {
  if (relation == nullptr) return InvalidOid;
  Oid relid = pg::call([relation] { return RangeVarGetRelid(relation, NoLock, true); });
  if (!OidIsValid(relid)) return InvalidOid;
  char kind = pg::call([relid] { return get_rel_relkind(relid); });
  return kind == RELKIND_RELATION || kind == RELKIND_PARTITIONED_TABLE ? relid : InvalidOid;
}

// The records of `from` are now those of `to`. Records already under `to` belong to a table that
// is gone (the name is free, or the statement fails and this rolls back): left, the renamed table
// would adopt them.
void move_records(pg::Spi& spi, const pg::TableName& from, const pg::TableName& to) {
  if (from.schema == to.schema && from.name == to.name) return;
  pg::AsExtensionOwner as_owner(spi);
  spi.execute(
      "DELETE FROM pgdb_tools.managed_triggers "
      " WHERE table_schema OPERATOR(pg_catalog.=) $1 AND table_name OPERATOR(pg_catalog.=) $2",
      {pg::Param::text(to.schema), pg::Param::text(to.name)});
  spi.execute(
      "UPDATE pgdb_tools.managed_triggers SET table_schema = $3, table_name = $4 "
      " WHERE table_schema OPERATOR(pg_catalog.=) $1 AND table_name OPERATOR(pg_catalog.=) $2",
      {pg::Param::text(from.schema), pg::Param::text(from.name), pg::Param::text(to.schema),
       pg::Param::text(to.name)});
}

// The records of the tables of schema `from` (not those of tables gone from it) move to `to`.
void move_schema_records(pg::Spi& spi, const std::string& from, const std::string& to) {
  if (from == to) return;
  pg::AsExtensionOwner as_owner(spi);
  spi.execute(
      "DELETE FROM pgdb_tools.managed_triggers WHERE table_schema OPERATOR(pg_catalog.=) $1",
      {pg::Param::text(to)});
  spi.execute(
      "UPDATE pgdb_tools.managed_triggers m SET table_schema = $2 "
      " WHERE m.table_schema OPERATOR(pg_catalog.=) $1 AND EXISTS ("
      "   SELECT FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
      "     ON n.oid OPERATOR(pg_catalog.=) c.relnamespace "
      "   WHERE n.nspname OPERATOR(pg_catalog.=) m.table_schema "
      "     AND c.relname OPERATOR(pg_catalog.=) m.table_name)",
      {pg::Param::text(from), pg::Param::text(to)});
}

std::vector<Oid> with_inheritors(Oid relid) {
  List* all = pg::call([relid] { return find_all_inheritors(relid, NoLock, nullptr); });
  std::vector<Oid> relids;
  ListCell* cell;
  foreach (cell, all) relids.push_back(lfirst_oid(cell));
  return relids;
}

// ---- the condition: OLD.from / NEW.from as PostgreSQL's scanner reads them ----

bool is_keyword_token(int token) {
  for (int i = 0; i < ScanKeywords.num_keywords; ++i)
    if (ScanKeywordTokens[i] == token) return true;
  return false;
}

// Where the identifier starting at `start` ends: a quoted one at its closing quote, a plain one
// after its last identifier character. -1 for forms not rewritten (U&"...").
int identifier_end(const char* text, int start) {
  int i = start;
  if (text[i] == '"') {
    for (++i; text[i] != '\0'; ++i) {
      if (text[i] != '"') continue;
      if (text[i + 1] == '"') {
        ++i;
        continue;
      }
      return i + 1;
    }
    return -1;
  }
  if ((text[i] == 'u' || text[i] == 'U') && text[i + 1] == '&') return -1;
  while (text[i] != '\0' &&
         (IS_HIGHBIT_SET(text[i]) || isalnum(static_cast<unsigned char>(text[i])) ||
          text[i] == '_' || text[i] == '$'))
    ++i;
  return i;
}

struct Span {
  int start;
  int end;
};

// The spans of `column` in "OLD.column" and "NEW.column" (any case, quoted or not, comments and
// blanks between) in condition, found by PostgreSQL's own scanner: how many there are, of which
// the first `capacity` are stored. Plain C frames only: the scanner may raise.
// The core scanner's token for a plain identifier (IDENT of the grammar, whose header, gram.h,
// PostgreSQL 16 and later no longer install): what the scanner returns for "x".
int identifier_token() {
  core_yy_extra_type extra;
  core_yyscan_t scanner = scanner_init("x", &extra, &ScanKeywords, ScanKeywordTokens);
  core_YYSTYPE value;
  YYLTYPE location;
  int token = core_yylex(&value, &location, scanner);
  scanner_finish(scanner);
  return token;
}

int column_spans(const char* condition, const char* column, Span* spans, int capacity) {
  const int IDENT = identifier_token();
  core_yy_extra_type extra;
  core_yyscan_t scanner = scanner_init(condition, &extra, &ScanKeywords, ScanKeywordTokens);
  int found = 0;
  int state = 0;  // 1: after OLD or NEW; 2: after OLD. or NEW.
  while (true) {
    core_YYSTYPE value;
    YYLTYPE location;
    int token = core_yylex(&value, &location, scanner);
    if (token == 0) break;
    const char* word = token == IDENT            ? value.str
                       : is_keyword_token(token) ? value.keyword
                                                 : nullptr;
    if (state == 2 && word != nullptr && strcmp(word, column) == 0) {
      if (found < capacity) {
        spans[found].start = location;
        spans[found].end = identifier_end(condition, location);
      }
      ++found;
    }
    if (state == 1 && token == '.') {
      state = 2;
    } else if (word != nullptr && (strcmp(word, "old") == 0 || strcmp(word, "new") == 0)) {
      state = 1;
    } else {
      state = 0;
    }
  }
  scanner_finish(scanner);
  return found;
}

// The condition with column `from` of OLD and NEW renamed to `to`; nullopt when it names it in no
// form this can rewrite.
std::optional<std::string> rename_in_condition(const std::string& condition,
                                               const std::string& from, const std::string& to) {
  // However often the condition names the column: a first pass counts, a second one (only when
  // the first had too little room) stores them all. Never a partial rewrite.
  std::vector<Span> spans(16);
  const char* text = condition.c_str();
  const char* column = from.c_str();
  int found = 0;
  while (true) {
    Span* out = spans.data();
    int capacity = static_cast<int>(spans.size());
    found = pg::call(
        [text, column, out, capacity] { return column_spans(text, column, out, capacity); });
    if (found <= capacity) break;
    spans.resize(static_cast<std::size_t>(found));
  }
  if (found == 0) return std::nullopt;
  std::string renamed = condition;
  // A quoted name stays quoted, as the user wrote it; a plain one is quoted only when it must be.
  std::string quoted = "\"";
  for (char c : to) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  quoted += "\"";
  for (int i = found - 1; i >= 0; --i) {
    if (spans[i].end < 0) return std::nullopt;
    bool was_quoted = condition[spans[i].start] == '"';
    renamed.replace(spans[i].start, spans[i].end - spans[i].start,
                    was_quoted ? quoted : pg::quote_identifier(to));
  }
  return renamed;
}

// ---- ddl_command_end ----

// While alive, the statement's own catalog changes (the column's new name) are visible to the
// read-only catalog reads of rendering, which run on the active snapshot: taken before the
// statement began, it would show the old names. As SPI does before a statement that writes.
class StatementSnapshot {
 public:
  StatementSnapshot() {
    pg::call([] {
      CommandCounterIncrement();
      if (ActiveSnapshotSet()) {
        PushCopiedSnapshot(GetActiveSnapshot());
        UpdateActiveSnapshotCommandId();
      } else {
        PushActiveSnapshot(GetTransactionSnapshot());
      }
    });
    pending_at_start_ = pg::pending_pg_errors();
  }
  ~StatementSnapshot() {
    // After a PostgreSQL error the coming rollback pops it.
    if (pg::pending_pg_errors() == pending_at_start_) PopActiveSnapshot();
  }
  StatementSnapshot(const StatementSnapshot&) = delete;
  StatementSnapshot& operator=(const StatementSnapshot&) = delete;

 private:
  int pending_at_start_;
};

struct ColumnRename {
  std::string from;
  std::string to;
};

std::string trigger_label(const std::string& name, const pg::TableName& table) {
  return "managed trigger " + pg::quote_identifier(name) + " on table " + table.quoted();
}

std::string drop_call(const std::string& name, const pg::TableName& table) {
  return "SELECT pgdb_tools.drop_trigger(" + pg::quote_literal(table.quoted()) + ", " +
         pg::quote_literal(name) + ")";
}

Error cannot_follow(const std::string& name, const pg::TableName& table, const std::string& why) {
  return Error(sqlstate::object_not_in_prerequisite_state,
               "cannot follow the rename for " + trigger_label(name, table), why,
               "Remove the trigger first with " + drop_call(name, table) +
                   " and declare it again after the rename.");
}

// Re-creates the trigger from its new rendering, keeping whether it was enabled; a failure names
// the trigger. As the extension's owner, who may name its trigger functions whether or not the
// caller has USAGE on its schema: the caller just renamed the column, so owns the table (and its
// partitions, which PostgreSQL checked as it renamed theirs), and what runs is the recorded spec
// with the new name, under the trusted search_path (a condition's unqualified functions are not
// looked up anew in the caller's).
void recreate(pg::Spi& spi, Oid relid, const pg::TableName& table, const std::string& name,
              const std::string& ddl) {
  spi.execute(
      "SELECT tgenabled::text FROM pg_catalog.pg_trigger WHERE tgrelid = $1 AND tgname = $2",
      {pg::Param::oid(relid), pg::Param::text(name)});
  std::string enabled = spi.row_count() ? spi.get_text(0, 0).value() : "O";
  std::string toggle;
  std::string trigger = pg::quote_identifier(name);
  if (enabled == "D") toggle = "ALTER TABLE " + table.quoted() + " DISABLE TRIGGER " + trigger;
  if (enabled == "R")
    toggle = "ALTER TABLE " + table.quoted() + " ENABLE REPLICA TRIGGER " + trigger;
  if (enabled == "A")
    toggle = "ALTER TABLE " + table.quoted() + " ENABLE ALWAYS TRIGGER " + trigger;
  if (auto failure = pg::try_in_subtransaction([&] {
        pg::AsExtensionOwner as_owner(spi);
        spi.execute(ddl);
        if (!toggle.empty()) spi.execute(toggle);
      }))
    throw cannot_follow(name, table, failure->message);
}

void follow(pg::Spi& spi, const Followed& entry, const std::optional<ColumnRename>& column) {
  pg::TableName table = pg::table_name(entry.relid);
  std::optional<Json> recorded;
  {
    pg::AsExtensionOwner as_owner(spi);
    spi.execute(
        "SELECT spec FROM pgdb_tools.managed_triggers "
        " WHERE table_schema = $1 AND table_name = $2 AND trigger_name = $3",
        {pg::Param::text(table.schema), pg::Param::text(table.name),
         pg::Param::text(entry.trigger_name)});
    bool is_null = true;
    if (spi.row_count() == 1) {
      Datum spec = spi.value(0, 0, is_null);
      if (!is_null) recorded = pg::jsonb_to_json(spec);
    }
  }
  if (!recorded) return;
  Json spec = *recorded;
  bool moved = !spec.find("tbl") || spec.find("tbl")->text != table.quoted();
  spec.set("tbl", Json::from_string(table.quoted()));
  bool arguments_renamed = false;
  bool condition_renamed = false;
  if (column) {
    arguments_renamed = rename_spec_column(spec, column->from, column->to);
    const Json* condition = spec.find("condition");
    if (condition != nullptr && condition->type == Json::Type::string) {
      if (std::optional<std::string> renamed =
              rename_in_condition(condition->text, column->from, column->to)) {
        spec.set("condition", Json::from_string(*renamed));
        condition_renamed = true;
      }
    }
  }
  if (!moved && !arguments_renamed && !condition_renamed) return;
  std::string spec_text = to_json_text(spec);
  if (!entry.installed) {
    // Not as recorded before (modified, outdated, broken): the spec follows the names, the rest
    // stays as it was for apply_triggers to settle.
    pg::AsExtensionOwner as_owner(spi);
    spi.execute(
        "UPDATE pgdb_tools.managed_triggers SET spec = $4::jsonb "
        " WHERE table_schema = $1 AND table_name = $2 AND trigger_name = $3",
        {pg::Param::text(table.schema), pg::Param::text(table.name),
         pg::Param::text(entry.trigger_name), pg::Param::text(spec_text)});
    return;
  }
  Rendered rendered;
  if (auto failure = pg::try_in_subtransaction([&] { rendered = render_recorded_spec(spi, spec); }))
    throw cannot_follow(entry.trigger_name, table, failure->message);
  if (arguments_renamed) recreate(spi, entry.relid, table, entry.trigger_name, rendered.ddl);
  spi.execute(
      "SELECT pg_catalog.pg_get_triggerdef(oid) FROM pg_catalog.pg_trigger "
      "WHERE tgrelid = $1 AND tgname = $2",
      {pg::Param::oid(entry.relid), pg::Param::text(entry.trigger_name)});
  if (spi.row_count() == 0) return;
  std::string definition = spi.get_text(0, 0).value();
  pg::AsExtensionOwner as_owner(spi);
  spi.execute(
      "UPDATE pgdb_tools.managed_triggers "
      "   SET spec = $4::jsonb, installed_ddl = $5, installed_definition = $6 "
      " WHERE table_schema = $1 AND table_name = $2 AND trigger_name = $3",
      {pg::Param::text(table.schema), pg::Param::text(table.name),
       pg::Param::text(entry.trigger_name), pg::Param::text(rendered.canonical),
       pg::Param::text(rendered.ddl), pg::Param::text(definition)});
}

// The statements that rename or move a relation, as PostgreSQL accepts them on a table: besides
// ALTER TABLE, ALTER INDEX ... RENAME TO names any relation, and ALTER VIEW / MATERIALIZED VIEW /
// FOREIGN TABLE ... RENAME COLUMN any relation with columns. What counts is the relation the name
// resolves to, never the statement's keyword; PostgreSQL refuses the rest itself.
bool names_relation(ObjectType type) {
  return type == OBJECT_TABLE || type == OBJECT_INDEX || type == OBJECT_VIEW ||
         type == OBJECT_MATVIEW || type == OBJECT_FOREIGN_TABLE;
}

// ALTER TYPE ... RENAME ATTRIBUTE ... CASCADE renames the column of every table typed by the
// composite type (CREATE TABLE ... OF type), and of their partitions; without CASCADE PostgreSQL
// refuses while such tables exist. The typed tables, found through pg_type's dependents in
// pg_depend (indexed, as PostgreSQL's own lookup).
Oid named_composite_type(RangeVar* type) {
  if (type == nullptr) return InvalidOid;
  Oid relid = pg::call([type] { return RangeVarGetRelid(type, NoLock, true); });
  if (!OidIsValid(relid) ||
      pg::call([relid] { return get_rel_relkind(relid); }) != RELKIND_COMPOSITE_TYPE)
    return InvalidOid;
  return pg::call([relid] { return get_rel_type_id(relid); });
}

std::vector<Oid> typed_tables(pg::Spi& spi, Oid type_oid) {
  spi.execute(
      "SELECT c.oid::pg_catalog.int8 FROM pg_catalog.pg_depend d "
      "JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) d.objid "
      "WHERE d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_type'::pg_catalog.regclass "
      "  AND d.refobjid OPERATOR(pg_catalog.=) $1 "
      "  AND d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass "
      "  AND c.reloftype OPERATOR(pg_catalog.=) $1 "
      "  AND c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p}'::pg_catalog.\"char\"[]) "
      "ORDER BY 1",
      {pg::Param::oid(type_oid)});
  std::vector<Oid> tables;
  for (std::uint64_t r = 0; r < spi.row_count(); ++r)
    tables.push_back(static_cast<Oid>(spi.get_int64(r, 0).value()));
  std::vector<Oid> all;
  for (Oid table : tables)
    for (Oid relid : with_inheritors(table))
      if (std::find(all.begin(), all.end(), relid) == all.end()) all.push_back(relid);
  return all;
}

}  // namespace

void follow_renames_start(Node* tree) {
  if (tree == nullptr) return;
  // The statement's names resolve with the caller's search_path, as the statement's own do;
  // everything after runs under the trusted one. Every ALTER INDEX, VIEW and TYPE of the
  // database passes here: what names no table (or schema) returns before any query.
  RangeVar* relation = nullptr;
  Oid composite = InvalidOid;
  if (IsA(tree, RenameStmt)) {
    auto* rename = reinterpret_cast<RenameStmt*>(tree);
    if (names_relation(rename->renameType) ||
        (rename->renameType == OBJECT_COLUMN && names_relation(rename->relationType)))
      relation = rename->relation;
    if (rename->renameType == OBJECT_ATTRIBUTE && rename->behavior == DROP_CASCADE)
      composite = named_composite_type(rename->relation);
  } else if (IsA(tree, AlterObjectSchemaStmt)) {
    auto* move = reinterpret_cast<AlterObjectSchemaStmt*>(tree);
    if (names_relation(move->objectType)) relation = move->relation;
  }
  Oid relid = named_table(relation);
  bool schema =
      IsA(tree, RenameStmt) && reinterpret_cast<RenameStmt*>(tree)->renameType == OBJECT_SCHEMA;
  if (!OidIsValid(relid) && !schema && !OidIsValid(composite)) return;
  pg::SearchPath trusted(pg::trusted_search_path);
  pg::Spi spi;
  if (OidIsValid(composite)) {
    std::vector<Oid> tables = typed_tables(spi, composite);
    if (!tables.empty()) note_triggers(spi, tree, tables);
    return;
  }
  if (IsA(tree, RenameStmt)) {
    auto* rename = reinterpret_cast<RenameStmt*>(tree);
    if (names_relation(rename->renameType)) {
      note_triggers(spi, tree, {relid});
      pg::TableName table = pg::table_name(relid);
      move_records(spi, table, {table.schema, rename->newname});
    } else if (rename->renameType == OBJECT_COLUMN) {
      note_triggers(spi, tree, with_inheritors(relid));
    } else if (rename->renameType == OBJECT_SCHEMA) {
      const char* schema_name = rename->subname;
      Oid nsp = pg::call([schema_name] { return get_namespace_oid(schema_name, true); });
      if (!OidIsValid(nsp)) return;
      note_triggers(spi, tree, {}, nsp);
      move_schema_records(spi, rename->subname, rename->newname);
    }
  } else if (IsA(tree, AlterObjectSchemaStmt)) {
    auto* move = reinterpret_cast<AlterObjectSchemaStmt*>(tree);
    note_triggers(spi, tree, {relid});
    pg::TableName table = pg::table_name(relid);
    move_records(spi, table, {move->newschema, table.name});
  }
}

}  // namespace pgdb::triggers

using namespace pgdb;
using namespace pgdb::triggers;

// ddl_command_end of ALTER TABLE / INDEX / VIEW / MATERIALIZED VIEW / FOREIGN TABLE / TYPE and
// ALTER SCHEMA: the managed triggers noted at its start are
// rendered again under their table's and columns' new names.
PGDB_FUNCTION(pgdb_tools_follow_renames_end) {
  if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
    throw Error(sqlstate::object_not_in_prerequisite_state,
                "_follow_renames_end() runs only as an event trigger");
  Node* tree = reinterpret_cast<EventTriggerData*>(fcinfo->context)->parsetree;
  if (tree == nullptr) PG_RETURN_VOID();
  std::string signature = signature_of(tree);
  std::uint64_t generation = 0;
  for (const auto& entry : followed.entries())
    if (entry.value.statement == tree && entry.value.signature == signature)
      generation = std::max(generation, entry.value.generation);
  std::vector<Followed> mine;
  for (const auto& entry : followed.entries())
    if (entry.value.statement == tree && entry.value.generation == generation &&
        OidIsValid(entry.value.relid))
      mine.push_back(entry.value);
  if (generation == 0 || mine.empty()) PG_RETURN_VOID();
  std::optional<ColumnRename> column;
  if (IsA(tree, RenameStmt)) {
    auto* rename = reinterpret_cast<RenameStmt*>(tree);
    if (rename->renameType == OBJECT_COLUMN || rename->renameType == OBJECT_ATTRIBUTE)
      column = ColumnRename{rename->subname, rename->newname};
  }
  pg::SearchPath trusted(pg::trusted_search_path);
  StatementSnapshot snapshot;
  pg::Spi spi;
  for (const Followed& entry : mine) {
    // A table dropped meanwhile (by another event trigger) has nothing left to follow.
    if (pg::call([&entry] { return get_rel_name(entry.relid); }) == nullptr) continue;
    follow(spi, entry, column);
  }
  PG_RETURN_VOID();
}

// sql_drop: refuses a statement that dropped a column a managed trigger's spec names (and that
// the table has no longer under that name): the trigger would fail on every write. Only records
// whose trigger is on that table count: an orphaned record (its table dropped, the name taken
// since by another table, maybe another role's) never blocks the new table's DDL.
PGDB_FUNCTION(pgdb_tools_guard_trigger_columns) {
  if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
    throw Error(sqlstate::object_not_in_prerequisite_state,
                "_guard_trigger_columns() runs only as an event trigger");
  pg::SearchPath trusted(pg::trusted_search_path);
  pg::Spi spi;
  struct Needed {
    pg::TableName table;
    std::string column;
    std::string trigger;
    Json spec;
  };
  std::vector<Needed> candidates;
  {
    pg::AsExtensionOwner as_owner(spi);
    spi.execute(
        "SELECT d.address_names[1], d.address_names[2], d.address_names[3], m.trigger_name::text, "
        "       m.spec "
        "FROM pg_catalog.pg_event_trigger_dropped_objects() d "
        "JOIN pgdb_tools.managed_triggers m "
        "  ON m.table_schema OPERATOR(pg_catalog.=) d.address_names[1] "
        " AND m.table_name OPERATOR(pg_catalog.=) d.address_names[2] "
        "WHERE d.object_type OPERATOR(pg_catalog.=) 'table column' "
        "  AND EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) "
        "d.objid) "
        // The record's trigger is on this very table (a record left by a dropped table of the
        // same name is another table's): in pg_trigger, or dropped by this same statement.
        "  AND (EXISTS (SELECT FROM pg_catalog.pg_trigger t "
        "               WHERE t.tgrelid OPERATOR(pg_catalog.=) d.objid "
        "                 AND t.tgname OPERATOR(pg_catalog.=) m.trigger_name) "
        "       OR EXISTS (SELECT FROM pg_catalog.pg_event_trigger_dropped_objects() g "
        "                  WHERE g.object_type OPERATOR(pg_catalog.=) 'trigger' "
        "                    AND g.address_names[1] OPERATOR(pg_catalog.=) d.address_names[1] "
        "                    AND g.address_names[2] OPERATOR(pg_catalog.=) d.address_names[2] "
        "                    AND g.address_names[3] OPERATOR(pg_catalog.=) m.trigger_name)) "
        "  AND NOT EXISTS (SELECT FROM pg_catalog.pg_attribute a "
        "                  WHERE a.attrelid OPERATOR(pg_catalog.=) d.objid AND a.attnum > 0 "
        "                    AND NOT a.attisdropped "
        "                    AND a.attname OPERATOR(pg_catalog.=) d.address_names[3]) "
        "ORDER BY 1, 2, 4, 3");
    for (std::uint64_t r = 0; r < spi.row_count(); ++r) {
      bool is_null = true;
      Datum spec = spi.value(r, 4, is_null);
      candidates.push_back({{spi.get_text(r, 0).value(), spi.get_text(r, 1).value()},
                            spi.get_text(r, 2).value(),
                            spi.get_text(r, 3).value(),
                            is_null ? Json() : pg::jsonb_to_json(spec)});
    }
  }
  for (const Needed& n : candidates) {
    std::vector<std::string> columns = spec_columns(n.spec);
    if (std::find(columns.begin(), columns.end(), n.column) == columns.end()) continue;
    throw Error("2BP01",
                "cannot drop column " + pg::quote_identifier(n.column) + " of table " +
                    n.table.quoted() + " because " + trigger_label(n.trigger, n.table) + " uses it",
                "The trigger would fail on every write without the column.",
                "Remove the trigger first with " + drop_call(n.trigger, n.table) +
                    ", or declare it again without the column.");
  }
  PG_RETURN_VOID();
}
