// libFuzzer target for the archive decoder (test/fuzz/run.sh builds and runs it). The first input
// byte chooses whether checksums are verified: with them the fuzzer probes framing, lengths and
// the checks in front of the checksums; without them (bit 0 clear) every structure behind them.
// Any crash, sanitizer report, leak, allocation over -malloc_limit_mb or exception other than
// pgdb::Error is a finding.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "../unit/archive_test_support.hpp"
#include "core/error.hpp"

using namespace pgdb::archive;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  ReaderOptions options{(data[0] & 1) != 0};
  std::size_t max_read = (data[0] >> 1) == 0 ? SIZE_MAX : (data[0] >> 1);
  std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    testing::read_archive(bytes, options, max_read);
  } catch (const pgdb::Error&) {
  }
  try {
    testing::StringSource source(bytes);
    read_listing(source);
  } catch (const pgdb::Error&) {
  }
  return 0;
}
