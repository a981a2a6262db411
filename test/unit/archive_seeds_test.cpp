// The fuzzer's seed corpus (test/fuzz/corpus/) holds valid archives, each behind the mode byte the
// fuzz target reads first. This test checks that every committed seed still reads, so the corpus
// follows the format; PGDB_WRITE_FUZZ_SEEDS=1 writes them anew.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

#include "archive_rebuild.hpp"

namespace pgdb::archive {
namespace {

const std::filesystem::path corpus = std::filesystem::path(PGDB_SOURCE_DIR) / "test/fuzz/corpus";

std::map<std::string, std::string> seeds() {
  std::vector<std::string> rows = {"1\talpha\t\\N\n2\tbeta\t{1,2}\n", "",
                                   std::string(5000, 'q') + "\n3\t\\\\t\n"};
  std::map<std::string, std::string> out;
  for (Compression method : {Compression::none, Compression::zstd, Compression::lz4})
    out["seed_" + std::string(compression_name(method))] =
        "\x01" + testing::write_archive(testing::sample_manifest(3), rows,
                                        {method, 0, limits::chunk_size_min});
  out["seed_no_tables"] = "\x01" + testing::write_archive(testing::sample_manifest(0), {});
  out["seed_unchecked"] = std::string(1, 0) + out["seed_zstd"].substr(1);
  out["seed_short_reads"] = "\x0f" + out["seed_lz4"].substr(1);
  testing::Parsed newer = testing::parse(out["seed_zstd"].substr(1));
  newer.header[10] = 3;
  newer.sections.insert(newer.sections.end() - 1, {40, section_optional, "later"});
  out["seed_newer_minor"] = "\x01" + testing::assemble(newer);
  return out;
}

TEST(ArchiveFuzzSeeds, EveryCommittedSeedReads) {
  if (std::getenv("PGDB_WRITE_FUZZ_SEEDS") != nullptr) {
    std::filesystem::create_directories(corpus);
    for (const auto& [name, bytes] : seeds())
      std::ofstream(corpus / name, std::ios::binary) << bytes;
  }
  std::size_t count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(corpus)) {
    std::ifstream file(entry.path(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    ASSERT_FALSE(bytes.empty()) << entry.path();
    auto mode = static_cast<unsigned char>(bytes[0]);
    std::size_t max_read = (mode >> 1) == 0 ? SIZE_MAX : (mode >> 1);
    EXPECT_NO_THROW(
        testing::read_archive(std::string_view(bytes).substr(1), {(mode & 1) != 0}, max_read))
        << entry.path();
    ++count;
  }
  EXPECT_EQ(count, seeds().size());
}

}  // namespace
}  // namespace pgdb::archive
