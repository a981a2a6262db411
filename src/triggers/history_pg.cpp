// The history executor: one event per row (per statement for TRUNCATE) written to the history
// table through a prepared plan kept per trigger, its jsonb built from the tuple (to_jsonb of the
// row, minus the excluded columns), with set_context()'s context kept in backend memory.
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/naming.hpp"
#include "core/xact_journal.hpp"
#include "pg/datum.hpp"
#include "pg/guard.hpp"
#include "pg/quote.hpp"
#include "pg/relation.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"
#include "pg/xact.hpp"
#include "triggers/bypass.hpp"
#include "triggers/executor_support.hpp"
#include "triggers/history.hpp"
#include "triggers/history_open.hpp"

extern "C" {
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/relcache.h"
}

namespace pgdb::triggers {

namespace {

// set_context(): each call's merged context, the latest one current; a rolled-back savepoint
// takes its calls with it, the transaction's end all of them.
XactJournal<std::string> contexts;

// The current context as a jsonb datum pointing into the journal, or nullptr.
const std::string* current_context_bytes() { return contexts.latest(); }

// The same, or 0 (SQL NULL).
Datum context_datum() {
  const std::string* context = current_context_bytes();
  return context != nullptr ? PointerGetDatum(context->data()) : 0;
}

struct HistoryConfig {
  Oid relid;
  CheckedShape shape;
  MemoryContext context;
  bool diff = false;
  bool changed_only = true;
  std::vector<bool> excluded;      // by attnum - 1; dropped columns count as excluded
  std::vector<std::string> names;  // by attnum - 1
  Datum excluded_names = 0;        // text[], or 0 when nothing is excluded
  Datum non_key_names = 0;         // text[] of the columns outside the primary key; 0: none
  bool has_key = false;
  FmgrInfo to_jsonb;

  HistoryConfig(Oid relation, TupleDesc desc, MemoryContext memory)
      : relid(relation), shape(desc), context(memory) {}
  ~HistoryConfig() { MemoryContextDelete(context); }
  HistoryConfig(const HistoryConfig&) = delete;
  HistoryConfig& operator=(const HistoryConfig&) = delete;
};
ConfigCache<HistoryConfig> history_configs;

std::shared_ptr<HistoryConfig> history_config(TriggerData* data) {
  Relation relation = data->tg_relation;
  TupleDesc desc = RelationGetDescr(relation);
  if (auto found = history_configs.find(data->tg_trigger->tgoid, desc)) return found;
  require_arg_count(data, "_trigger_history", 4, desc->natts + 4);
  std::string format = trigger_arg(data, 2);
  if (format != "row" && format != "diff")
    bad_trigger_arg(data, 2, "\"" + format + "\" is neither \"row\" nor \"diff\"");
  std::string changed = trigger_arg(data, 3);
  if (changed != "changed_only" && changed != "all")
    bad_trigger_arg(data, 3, "\"" + changed + "\" is neither \"changed_only\" nor \"all\"");
  MemoryContext context = pg::call([] {
    return AllocSetContextCreate(CacheMemoryContext, "pgdb_tools history trigger",
                                 ALLOCSET_SMALL_SIZES);
  });
  auto config = std::make_shared<HistoryConfig>(RelationGetRelid(relation), desc, context);
  config->diff = format == "diff";
  config->changed_only = changed == "changed_only";
  config->excluded.assign(desc->natts, false);
  std::vector<std::string> excluded;
  for (int i = 4; i < data->tg_trigger->tgnargs; ++i) {
    int attnum = column_number(data, trigger_arg(data, i));
    config->excluded[attnum - 1] = true;
    excluded.emplace_back(trigger_arg(data, i));
  }
  Bitmapset* key = pg::call(
      [relation] { return RelationGetIndexAttrBitmap(relation, INDEX_ATTR_BITMAP_PRIMARY_KEY); });
  config->has_key = key != nullptr;
  std::vector<std::string> non_key;
  for (int i = 0; i < desc->natts; ++i) {
    Form_pg_attribute attribute = TupleDescAttr(desc, i);
    config->names.emplace_back(NameStr(attribute->attname));
    if (attribute->attisdropped) {
      config->excluded[i] = true;
      continue;
    }
    config->shape.use(desc, i + 1);
    bool in_key = bms_is_member(i + 1 - FirstLowInvalidHeapAttributeNumber, key);
    if (!in_key) non_key.push_back(config->names.back());
  }
  MemoryContext old = MemoryContextSwitchTo(context);
  if (!excluded.empty()) config->excluded_names = pg::strings_to_text_array(excluded);
  if (config->has_key && !non_key.empty())
    config->non_key_names = pg::strings_to_text_array(non_key);
  FmgrInfo* info = &config->to_jsonb;
  Oid row_type = relation->rd_rel->reltype;
  pg::call([info, context, row_type] {
    fmgr_info_cxt(F_TO_JSONB, info, context);
    // to_jsonb() asks its call expression for the argument's type: a record.
    info->fn_expr = reinterpret_cast<Node*>(
        makeFuncExpr(F_TO_JSONB, JSONBOID, list_make1(makeNullConst(row_type, -1, InvalidOid)),
                     InvalidOid, InvalidOid, COERCE_EXPLICIT_CALL));
  });
  MemoryContextSwitchTo(old);
  return history_configs.add(data->tg_trigger->tgoid, config);
}

Datum row_jsonb(HistoryConfig& config, HeapTuple tuple, TupleDesc desc) {
  FmgrInfo* info = &config.to_jsonb;
  return pg::call([=] { return FunctionCall1(info, heap_copy_tuple_as_datum(tuple, desc)); });
}

Datum without(Datum jsonb, Datum names) {
  if (names == 0) return jsonb;
  return pg::call([=] { return DirectFunctionCall2(jsonb_delete_array, jsonb, names); });
}

Datum row_key(const HistoryConfig& config, Datum full, Datum data) {
  if (!config.has_key) return data;
  return without(full, config.non_key_names);
}

// UPDATE: the event, or none when changed_only and no tracked column changed.
bool update_event(HistoryConfig& config, const TriggerData* data, HistoryEvent& event) {
  TupleDesc desc = RelationGetDescr(data->tg_relation);
  std::vector<std::string> unchanged;
  bool changed = false;
  for (int i = 0; i < desc->natts; ++i) {
    if (config.excluded[i]) continue;
    bool same = column_unchanged(data, i + 1);
    changed = changed || !same;
    if (same) unchanged.push_back(config.names[i]);
  }
  if (config.changed_only && !changed) return false;
  Datum old_full = row_jsonb(config, data->tg_trigtuple, desc);
  Datum new_full = row_jsonb(config, data->tg_newtuple, desc);
  event.old_data = without(old_full, config.excluded_names);
  event.new_data = without(new_full, config.excluded_names);
  event.row_key = row_key(config, new_full, event.new_data);
  if (config.diff && !unchanged.empty()) {
    Datum same = pg::strings_to_text_array(unchanged);
    event.old_data = without(event.old_data, same);
    event.new_data = without(event.new_data, same);
  }
  return true;
}

}  // namespace

void init_history() {
  pg::register_xact_listener(contexts);
  init_kept_histories();
}

void ensure_history_table(pg::Spi& spi, Oid relid, const std::string& schema,
                          const std::string& history_table) {
  std::string target = pg::quote_identifier(schema) + "." + pg::quote_identifier(history_table);
  static const char* expected =
      "event_id bigint, event_at timestamp with time zone, tx_id xid8, operation text, "
      "row_key jsonb, old_data jsonb, new_data jsonb, context jsonb, actor name";
  spi.execute(
      "SELECT c.relkind::text, (SELECT pg_catalog.string_agg(a.attname OPERATOR(pg_catalog.||) ' ' "
      "OPERATOR(pg_catalog.||) pg_catalog.format_type(a.atttypid, a.atttypmod), ', ' "
      "ORDER BY a.attnum) FROM pg_catalog.pg_attribute a WHERE a.attrelid = c.oid "
      "AND a.attnum > 0 AND NOT a.attisdropped) "
      "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
      "WHERE n.nspname = $1 AND c.relname = $2",
      {pg::Param::text(schema), pg::Param::text(history_table)});
  bool exists = spi.row_count() == 1;
  if (exists) {
    std::string kind = spi.get_text(0, 0).value_or("");
    if ((kind != "r" && kind != "p") || spi.get_text(0, 1).value_or("") != expected)
      throw Error("42P07", "relation " + target + " already exists and is not a history table",
                  "A history table has the columns " + std::string(expected) + ".",
                  "Pass history_table => 'another_name'.");
  } else {
    spi.execute(
        "CREATE TABLE " + target +
        " (event_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
        "event_at timestamptz NOT NULL, tx_id xid8 NOT NULL, operation text NOT NULL, "
        "row_key jsonb, old_data jsonb, new_data jsonb, context jsonb, actor name NOT NULL)");
    // Measured in test/bench/history.sh: a hash index costs the log write far less than a
    // B-tree on the jsonb key, and row_history() only ever looks a key up by equality.
    spi.execute("CREATE INDEX " +
                pg::quote_identifier(bounded_identifier(history_table + "_row_key")) + " ON " +
                target + " USING hash (row_key)");
    // An UPDATE that changes the key is recorded under the new one; its old key (NULL for every
    // other event, which a hash index leaves out) finds it too.
    spi.execute("CREATE INDEX " +
                pg::quote_identifier(bounded_identifier(history_table + "_old_key")) + " ON " +
                target + " USING hash (pgdb_tools._history_old_key(row_key, old_data))");
    Oid owner = pg::table_owner(relid);
    if (owner != GetUserId())
      spi.execute("ALTER TABLE " + target + " OWNER TO " +
                  pg::quote_identifier(pg::role_name(owner)));
  }
  // Who may read the table may read its history (SELECT on the table; column privileges do not
  // reach the whole row history holds).
  spi.execute(
      "SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE "
      "pg_catalog.quote_ident(r.rolname) END "
      "FROM pg_catalog.pg_class c, pg_catalog.aclexplode(c.relacl) a "
      "LEFT JOIN pg_catalog.pg_roles r ON r.oid = a.grantee "
      "WHERE c.oid = $1 AND a.privilege_type = 'SELECT' AND a.grantee <> c.relowner "
      "ORDER BY 1",
      {pg::Param::oid(relid)});
  std::vector<std::string> readers;
  for (std::uint64_t r = 0; r < spi.row_count(); ++r) readers.push_back(spi.get_text(r, 0).value());
  for (const std::string& reader : readers)
    spi.execute("GRANT SELECT ON " + target + " TO " + reader);
}

}  // namespace pgdb::triggers

using namespace pgdb;
using namespace pgdb::triggers;

// _trigger_history(schema, history_table, format, changed_only|all, excluded columns...): records
// the row's change (or the TRUNCATE) in the history table.
PGDB_FUNCTION(pgdb_tools_trigger_history) {
  TriggerData* data = trigger_data(fcinfo, "_trigger_history");
  if (!TRIGGER_FIRED_AFTER(data->tg_event))
    throw Error("39P01", "_trigger_history() must be fired AFTER the operation", {},
                "Create it with pgdb_tools.track_history().");
  HistoryEvent event;
  if (TRIGGER_FIRED_BY_TRUNCATE(data->tg_event)) {
    require_arg_count(data, "_trigger_history", 4, std::numeric_limits<int>::max());
    // A companion (arguments ..., 'companion', name) records for the managed trigger it names.
    bool companion =
        data->tg_trigger->tgnargs == 5 && std::strcmp(trigger_arg(data, 3), "companion") == 0;
    if (companion ? bypassed(data, data->tg_trigger->tgargs[4]) : bypassed(data))
      return PointerGetDatum(nullptr);
    event.operation = "TRUNCATE";
    write_history_event(data, event, context_datum());
    return PointerGetDatum(nullptr);
  }
  if (!TRIGGER_FIRED_FOR_ROW(data->tg_event))
    throw Error("39P01", "_trigger_history() must be fired FOR EACH ROW (or for TRUNCATE)");
  if (bypassed(data)) return PointerGetDatum(nullptr);
  std::shared_ptr<HistoryConfig> config = history_config(data);  // alive for the call
  TupleDesc desc = RelationGetDescr(data->tg_relation);
  if (TRIGGER_FIRED_BY_UPDATE(data->tg_event)) {
    event.operation = "UPDATE";
    if (!update_event(*config, data, event)) return PointerGetDatum(nullptr);
  } else {
    bool insert = TRIGGER_FIRED_BY_INSERT(data->tg_event);
    event.operation = insert ? "INSERT" : "DELETE";
    Datum full = row_jsonb(*config, data->tg_trigtuple, desc);
    Datum row = without(full, config->excluded_names);
    (insert ? event.new_data : event.old_data) = row;
    event.row_key = row_key(*config, full, row);
  }
  write_history_event(data, event, context_datum());
  return PointerGetDatum(nullptr);
}

// set_context(context jsonb) RETURNS jsonb: merges context (an object) into the transaction's
// context and returns the result.
PGDB_FUNCTION(pgdb_tools_set_context) {
  if (PG_ARGISNULL(0)) throw Error(sqlstate::invalid_parameter_value, "context must not be NULL");
  Datum given = PG_GETARG_DATUM(0);
  Jsonb* jsonb = pg::call([given] { return DatumGetJsonbP(given); });
  if (!JB_ROOT_IS_OBJECT(jsonb))
    throw Error(sqlstate::invalid_parameter_value, "context must be a JSON object", {},
                "For example '{\"request_id\": \"...\", \"user\": \"...\"}'.");
  Datum merged = PointerGetDatum(jsonb);
  if (const std::string* current = current_context_bytes()) {
    Datum before = PointerGetDatum(current->data());
    merged =
        pg::call([before, merged] { return DirectFunctionCall2(jsonb_concat, before, merged); });
  }
  Jsonb* result = DatumGetJsonbP(merged);
  contexts.add(pg::current_subxact(),
               std::string(reinterpret_cast<const char*>(result), VARSIZE(result)));
  PG_RETURN_JSONB_P(result);
}

// current_context() RETURNS jsonb: the transaction's context, NULL when none was set.
PGDB_FUNCTION(pgdb_tools_current_context) {
  const std::string* current = current_context_bytes();
  if (current == nullptr) PG_RETURN_NULL();
  Datum copy = pg::call([current] {
    void* bytes = palloc(current->size());
    memcpy(bytes, current->data(), current->size());
    return PointerGetDatum(bytes);
  });
  return copy;
}
