// Archive codec throughput per compression: encode (rows to file bytes, SHA-256 included) and
// decode (file bytes back to rows, every checksum verified), in MB/s of COPY text rows.
#include <benchmark/benchmark.h>

#include <string>

#include "../../unit/archive_test_support.hpp"

namespace {

using namespace pgdb::archive;

// 16 MB of rows shaped like a table of orders: ids, a timestamp, a status, an amount, some text.
const std::string& sample_rows() {
  static const std::string rows = [] {
    static const char* const statuses[] = {"placed", "paid", "shipped", "delivered"};
    std::string out;
    for (std::uint64_t i = 0; out.size() < (16u << 20); ++i)
      out += std::to_string(i) + "\t" + std::to_string(i * 7919 % 100000) + "\t2026-12-0" +
             std::to_string(1 + i % 9) + " 10:" + std::to_string(10 + i % 50) + ":00+00\t" +
             statuses[i % 4] + "\t" + std::to_string(i % 997) + "." + std::to_string(i % 89) +
             "\tcustomer note " + std::to_string(i * 31 % 1000) + " about order\n";
    return out;
  }();
  return rows;
}

// Counts what it is given, so that the encoder, not a growing buffer, is measured.
class CountingSink : public ByteSink {
 public:
  void write(const void* data, std::size_t size) override {
    benchmark::DoNotOptimize(data);
    bytes += size;
  }
  std::size_t bytes = 0;
};

void BM_ArchiveEncode(benchmark::State& state) {
  auto method = static_cast<Compression>(state.range(0));
  const std::string& rows = sample_rows();
  std::size_t stored = 0;
  for (auto _ : state) {
    CountingSink sink;
    testing::OpenSslSha256 sha;
    ArchiveWriter writer(sink, sha, testing::sample_manifest(1), {method});
    writer.begin_table();
    writer.append(rows.data(), rows.size());
    writer.end_table("h");
    writer.finish();
    stored = sink.bytes;
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * rows.size()));
  state.counters["ratio"] = static_cast<double>(rows.size()) / static_cast<double>(stored);
  state.SetLabel(std::string(compression_name(method)));
}
BENCHMARK(BM_ArchiveEncode)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

void BM_ArchiveDecode(benchmark::State& state) {
  auto method = static_cast<Compression>(state.range(0));
  const std::string& rows = sample_rows();
  std::string bytes = testing::write_archive(testing::sample_manifest(1), {rows}, {method});
  for (auto _ : state) {
    testing::StringSource source(bytes);
    testing::OpenSslSha256 sha;
    ArchiveReader reader(source, sha);
    std::size_t total = 0;
    while (reader.next_table())
      for (std::string_view piece; !(piece = reader.next_data()).empty();) total += piece.size();
    reader.finish();
    benchmark::DoNotOptimize(total);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * rows.size()));
  state.SetLabel(std::string(compression_name(method)));
}
BENCHMARK(BM_ArchiveDecode)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

}  // namespace
