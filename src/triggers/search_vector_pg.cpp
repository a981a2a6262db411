// The search_vector executor: keeps a tsvector column equal to the weighted text of its source
// columns.
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "pg/catalog.hpp"
#include "pg/guard.hpp"
#include "pg/roles.hpp"
#include "pg/syscache.hpp"
#include "triggers/bypass.hpp"
#include "triggers/executor_support.hpp"
#include "triggers/executors.hpp"

extern "C" {
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/regproc.h"
}

namespace pgdb::triggers {

namespace {

// search_vector: the tsvector column, the configuration and the weighted sources.
struct SearchVector {
  Oid relid;
  CheckedShape shape;
  int target;
  Oid config;
  std::vector<std::pair<int, char>> sources;  // attribute number, weight
};
ConfigCache<SearchVector> search_vectors;

std::shared_ptr<SearchVector> search_vector(TriggerData* data) {
  TupleDesc desc = RelationGetDescr(data->tg_relation);
  if (auto found = search_vectors.find(data->tg_trigger->tgoid, desc)) return found;
  const char* function = "_trigger_search_vector";
  require_arg_count(data, function, 4, std::numeric_limits<int>::max());
  if (data->tg_trigger->tgnargs % 2 != 0)
    bad_trigger_arg(data, data->tg_trigger->tgnargs - 1,
                    "sources come in pairs of a column and a weight");
  int target = checked_column(data, trigger_arg(data, 0), {TSVECTOROID}, "tsvector", true);
  auto config = std::make_shared<SearchVector>(SearchVector{
      RelationGetRelid(data->tg_relation), CheckedShape(desc), target, InvalidOid, {}});
  config->shape.use(desc, target);
  // Resolved with the trusted search_path, whatever the firing session's (see dispatch_pg.cpp).
  config->config = pg::lookup_name(pg::trusted_search_path, regconfigin, trigger_arg(data, 1));
  // regconfig also reads '-' and bare OIDs, which need not name a configuration.
  if (!pg::catalog_row_exists(TSCONFIGOID, config->config))
    bad_trigger_arg(data, 1, "names no text search configuration");
  for (int i = 2; i + 1 < data->tg_trigger->tgnargs; i += 2) {
    int source = checked_column(data, data->tg_trigger->tgargs[i], {TEXTOID, VARCHAROID, BPCHAROID},
                                "text, varchar or char", false);
    if (source == target) bad_trigger_arg(data, i, "the tsvector column cannot be its own source");
    const char* weight = data->tg_trigger->tgargs[i + 1];
    if (std::strlen(weight) != 1 || weight[0] < 'A' || weight[0] > 'D')
      bad_trigger_arg(data, i + 1,
                      "weight \"" + std::string(weight) + "\" is not one of A, B, C and D");
    config->shape.use(desc, source);
    config->sources.emplace_back(source, weight[0]);
  }
  return search_vectors.add(data->tg_trigger->tgoid, config);
}

// A dropped or altered text search configuration (or one of its dictionaries) must not be used
// through a cached OID.
void forget_search_vectors(Datum, int, uint32) { search_vectors.forget(InvalidOid); }

}  // namespace

void register_search_vector_invalidation() {
  CacheRegisterSyscacheCallback(TSCONFIGOID, forget_search_vectors, Datum(0));
}

}  // namespace pgdb::triggers

using namespace pgdb;
using namespace pgdb::triggers;

// _trigger_search_vector(column, config, source, weight, ...): keeps a tsvector column equal to
// the weighted text of its sources, recomputed only when a source (or the column) changes.
PGDB_FUNCTION(pgdb_tools_trigger_search_vector) {
  TriggerData* data = before_row_trigger(fcinfo, "_trigger_search_vector",
                                         TRIGGER_TYPE_INSERT | TRIGGER_TYPE_UPDATE);
  if (bypassed(data)) return unchanged_row(data);
  std::shared_ptr<SearchVector> held = search_vector(data);  // kept alive for the whole call
  const SearchVector& config = *held;
  if (TRIGGER_FIRED_BY_UPDATE(data->tg_event)) {
    bool unchanged = column_unchanged(data, config.target);
    for (const auto& source : config.sources)
      unchanged = unchanged && column_unchanged(data, source.first);
    if (unchanged) return unchanged_row(data);
  }
  HeapTuple row = written_row(data);
  TupleDesc desc = RelationGetDescr(data->tg_relation);
  Oid ts_config = config.config;
  Datum vector = 0;
  for (const auto& [attnum, weight] : config.sources) {
    bool is_null = false;
    Datum text = heap_getattr(row, attnum, desc, &is_null);
    if (is_null) continue;
    char w = weight;
    Datum weighted = pg::call([ts_config, text, w] {
      Datum parsed = DirectFunctionCall2(to_tsvector_byid, ObjectIdGetDatum(ts_config), text);
      return DirectFunctionCall2(tsvector_setweight, parsed, CharGetDatum(w));
    });
    vector = vector == 0 ? weighted : pg::call([vector, weighted] {
      return DirectFunctionCall2(tsvector_concat, vector, weighted);
    });
  }
  if (vector == 0)
    vector = pg::call([ts_config] {
      return DirectFunctionCall2(to_tsvector_byid, ObjectIdGetDatum(ts_config),
                                 CStringGetTextDatum(""));
    });
  return PointerGetDatum(reformed_with(row, desc, config.target, vector));
}
