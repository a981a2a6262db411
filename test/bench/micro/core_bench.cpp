// Micro-benchmarks of the PG-free core: `build/cmake/micro_bench` (make bench runs it briefly).
#include <benchmark/benchmark.h>

#include <string>

#include "core/naming.hpp"
#include "core/quote.hpp"

namespace {

pgdb::KeywordKind no_keywords(std::string_view) { return pgdb::KeywordKind::not_keyword; }

void BM_QuoteIdentifierPlain(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(pgdb::quote_identifier("orders_2026", no_keywords));
}
BENCHMARK(BM_QuoteIdentifierPlain);

void BM_QuoteIdentifierMixedCase(benchmark::State& state) {
  for (auto _ : state)
    benchmark::DoNotOptimize(pgdb::quote_identifier("Order \"Lines\"", no_keywords));
}
BENCHMARK(BM_QuoteIdentifierMixedCase);

void BM_BoundedIdentifierLong(benchmark::State& state) {
  std::string name = "pgdb_updated_at_" + std::string(80, 'a');
  for (auto _ : state) benchmark::DoNotOptimize(pgdb::bounded_identifier(name));
}
BENCHMARK(BM_BoundedIdentifierLong);

}  // namespace
