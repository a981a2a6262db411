#include "pg/srf.hpp"

#include "core/error.hpp"
#include "pg/guard.hpp"

extern "C" {
#include "funcapi.h"
#include "utils/tuplestore.h"
}

namespace pgdb::pg {

ResultRows::ResultRows(FunctionCallInfo fcinfo) {
  auto* info = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
  if (info == nullptr || !IsA(info, ReturnSetInfo) || !(info->allowedModes & SFRM_Materialize))
    throw Error(sqlstate::feature_not_supported,
                "set-valued function called in context that cannot accept a set");
  TupleDesc desc = nullptr;
  TypeFuncClass kind =
      call([fcinfo, &desc] { return get_call_result_type(fcinfo, nullptr, &desc); });
  if (kind != TYPEFUNC_COMPOSITE)
    throw Error(sqlstate::internal_error, "return type must be a row type");
  MemoryContext per_query = info->econtext->ecxt_per_query_memory;
  call([&] {
    MemoryContext old = MemoryContextSwitchTo(per_query);
    desc = CreateTupleDescCopy(desc);
    store_ = tuplestore_begin_heap(true, false, work_mem);
    metadata_ = TupleDescGetAttInMetadata(desc);
    MemoryContextSwitchTo(old);
  });
  columns_ = desc->natts;
  info->returnMode = SFRM_Materialize;
  info->setResult = store_;
  info->setDesc = desc;
}

void ResultRows::add(const std::vector<std::optional<std::string>>& columns) {
  if (static_cast<int>(columns.size()) != columns_)
    throw Error(sqlstate::internal_error, "result row has " + std::to_string(columns.size()) +
                                              " columns, expected " + std::to_string(columns_));
  std::vector<char*> values;
  values.reserve(columns.size());
  for (const auto& column : columns)
    values.push_back(column ? const_cast<char*>(column->c_str()) : nullptr);
  char** raw = values.data();
  call([this, raw] { tuplestore_puttuple(store_, BuildTupleFromCStrings(metadata_, raw)); });
}

}  // namespace pgdb::pg
