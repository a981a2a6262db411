#include <gtest/gtest.h>

#include <random>

#include "archive_test_support.hpp"
#include "core/error.hpp"

namespace pgdb::archive {
namespace {

using testing::read_archive;
using testing::sample_manifest;
using testing::write_archive;

std::string rows_of(std::size_t count, std::size_t width) {
  std::string rows;
  for (std::size_t i = 0; i < count; ++i)
    rows +=
        std::to_string(i) + "\t" + std::string(width, static_cast<char>('a' + i % 26)) + "\t\\N\n";
  return rows;
}

class ArchiveRoundTrip : public ::testing::TestWithParam<Compression> {};

TEST_P(ArchiveRoundTrip, TablesComeBackByteForByte) {
  Manifest manifest = sample_manifest(3);
  std::vector<std::string> rows = {rows_of(10, 5), "", rows_of(5000, 40)};
  WriterOptions options{GetParam(), 0, limits::chunk_size_min};
  std::string bytes = write_archive(manifest, rows, options);
  testing::ReadBack back = read_archive(bytes);
  Manifest expected = manifest;
  expected.compression = GetParam();
  EXPECT_EQ(back.manifest, expected);
  EXPECT_EQ(back.rows, rows);
  ASSERT_EQ(back.summary.tables.size(), 3u);
  EXPECT_EQ(back.summary.tables[0].rows, 10u);
  EXPECT_EQ(back.summary.tables[1].rows, 0u);
  EXPECT_EQ(back.summary.tables[1].chunks, 0u);
  EXPECT_EQ(back.summary.tables[1].first_chunk_offset, 0u);
  EXPECT_EQ(back.summary.tables[2].rows, 5000u);
  EXPECT_GT(back.summary.tables[2].chunks, 10u);
  EXPECT_EQ(back.summary.tables[2].content_hash, "h2");
  EXPECT_EQ(back.summary.tables[2].raw_bytes, rows[2].size());
  if (GetParam() == Compression::none)
    EXPECT_EQ(back.summary.tables[2].stored_bytes, rows[2].size());
  else
    EXPECT_LT(back.summary.tables[2].stored_bytes, rows[2].size() / 4);
}

TEST_P(ArchiveRoundTrip, ShortReadsAndSmallCopiesReadTheSame) {
  std::vector<std::string> rows = {rows_of(300, 30), rows_of(1, 0)};
  std::string bytes =
      write_archive(sample_manifest(2), rows, {GetParam(), 0, limits::chunk_size_min});
  EXPECT_EQ(read_archive(bytes, {}, 7).rows, rows);
  testing::StringSource source(bytes, 3);
  testing::OpenSslSha256 sha;
  ArchiveReader reader(source, sha);
  std::vector<std::string> copied;
  while (reader.next_table()) {
    std::string table;
    char buffer[5];
    for (std::size_t n; (n = reader.read_data(buffer, sizeof buffer)) > 0;) table.append(buffer, n);
    copied.push_back(table);
  }
  reader.finish();
  EXPECT_EQ(copied, rows);
}

TEST_P(ArchiveRoundTrip, ListingReadsBothEndsOnly) {
  Manifest manifest = sample_manifest(2);
  std::string bytes =
      write_archive(manifest, {rows_of(3000, 20), rows_of(2, 2)}, {GetParam(), 0, 4096});
  testing::StringSource source(bytes);
  Listing listing = read_listing(source);
  EXPECT_EQ(listing.minor_version, format_minor);
  EXPECT_EQ(listing.manifest.tables, manifest.tables);
  EXPECT_EQ(listing.summary, read_archive(bytes).summary);
}

INSTANTIATE_TEST_SUITE_P(EachCompression, ArchiveRoundTrip,
                         ::testing::Values(Compression::none, Compression::zstd, Compression::lz4),
                         [](const auto& info) {
                           return std::string(compression_name(info.param));
                         });

TEST(ArchiveRoundTrip, NoTablesAndOnlyEmptyTables) {
  EXPECT_TRUE(read_archive(write_archive(sample_manifest(0), {})).rows.empty());
  testing::ReadBack back = read_archive(write_archive(sample_manifest(2), {"", ""}));
  EXPECT_EQ(back.rows, (std::vector<std::string>{"", ""}));
  EXPECT_EQ(back.summary.tables[0].chunks, 0u);
}

TEST(ArchiveRoundTrip, OptionalManifestFieldsStayAbsentOrEmpty) {
  Manifest manifest = sample_manifest(1);
  manifest.note.reset();
  manifest.created_by = "";
  manifest.database.reset();
  manifest.tags.clear();
  testing::ReadBack back = read_archive(write_archive(manifest, {"1\n"}, {Compression::none}));
  EXPECT_FALSE(back.manifest.note.has_value());
  EXPECT_EQ(back.manifest.created_by, std::optional<std::string>(""));
  EXPECT_FALSE(back.manifest.database.has_value());
  EXPECT_TRUE(back.manifest.tags.empty());
}

// Rows of one byte less, exactly, and one byte more than a chunk, and of several chunks: a chunk
// ends at a row's end unless the row alone fills it.
TEST(ArchiveRoundTrip, RowsAroundTheChunkSize) {
  constexpr std::size_t chunk = limits::chunk_size_min;
  for (std::size_t width : {chunk - 2, chunk - 1, chunk, chunk + 1, 3 * chunk + 5}) {
    std::string row = std::string(width - 1, 'x') + "\n";
    std::vector<std::string> rows = {row + row + "y\n" + row};
    for (Compression method : {Compression::none, Compression::zstd, Compression::lz4}) {
      testing::ReadBack back =
          read_archive(write_archive(sample_manifest(1), rows, {method, 0, chunk}));
      EXPECT_EQ(back.rows, rows) << width;
      EXPECT_EQ(back.summary.tables[0].rows, 4u);
      std::size_t per_row = (width + chunk - 1) / chunk;
      EXPECT_LE(back.summary.tables[0].chunks, 3 * per_row + 1) << width;
    }
  }
}

TEST(ArchiveRoundTrip, OneRowAtTheLargestChunk) {
  std::string row = std::string(limits::chunk_raw - 1, 'v') + "\n";
  for (std::string rows : {row, row + "tail\n"}) {
    testing::ReadBack back = read_archive(
        write_archive(sample_manifest(1), {rows}, {Compression::lz4, 0, limits::chunk_raw}));
    EXPECT_EQ(back.rows[0], rows);
    EXPECT_EQ(back.summary.tables[0].chunks, rows == row ? 1u : 2u);
  }
}

TEST(ArchiveRoundTrip, IncompressibleChunksAreStoredAsTheyAre) {
  std::mt19937 random(7);
  std::string rows;
  while (rows.size() < 20000) {
    char c = static_cast<char>(random());
    rows += c == '\n' ? 'n' : c;
    if (rows.size() % 1000 == 0) rows += '\n';
  }
  rows += '\n';
  testing::ReadBack back =
      read_archive(write_archive(sample_manifest(1), {rows}, {Compression::zstd, 0, 4096}));
  EXPECT_EQ(back.rows[0], rows);
  EXPECT_EQ(back.summary.tables[0].stored_bytes, rows.size());
}

TEST(ArchiveRoundTrip, PiecesOfAnySizeWriteTheSameFile) {
  std::string rows = rows_of(2000, 17);
  std::string whole = write_archive(sample_manifest(1), {rows}, {Compression::zstd, 0, 4096});
  testing::StringSink sink;
  testing::OpenSslSha256 sha;
  ArchiveWriter writer(sink, sha, sample_manifest(1), {Compression::zstd, 0, 4096});
  writer.begin_table();
  for (std::size_t at = 0, step = 1; at < rows.size(); at += step, step = step % 997 + 1)
    writer.append(rows.data() + at, std::min(step, rows.size() - at));
  writer.end_table("h0");
  writer.finish();
  EXPECT_EQ(sink.bytes, whole);
}

template <typename Call>
std::string sqlstate_of(Call call) {
  try {
    call();
  } catch (const Error& e) {
    return e.sqlstate();
  }
  return "no error";
}

TEST(ArchiveWriter, RefusesWhatAReaderWouldRefuse) {
  Manifest long_note = sample_manifest(1);
  long_note.note = std::string(limits::note + 1, 'n');
  Manifest zero_byte = sample_manifest(1);
  zero_byte.tables[0].name = std::string("a\0b", 3);
  testing::StringSink sink;
  testing::OpenSslSha256 sha;
  EXPECT_EQ(sqlstate_of([&] { ArchiveWriter(sink, sha, long_note); }), "22023");
  EXPECT_EQ(sqlstate_of([&] { ArchiveWriter(sink, sha, zero_byte); }), "22023");
  EXPECT_EQ(sqlstate_of([&] {
              ArchiveWriter(sink, sha, sample_manifest(1), {Compression::zstd, 0, 100});
            }),
            "22023");
  EXPECT_EQ(sqlstate_of([&] {
              ArchiveWriter(sink, sha, sample_manifest(1), {Compression::zstd, 99});
            }),
            "22023");
}

TEST(ArchiveWriter, CallsOutOfOrderThrowAndLeaveItRefusing) {
  testing::StringSink sink;
  testing::OpenSslSha256 sha;
  ArchiveWriter writer(sink, sha, sample_manifest(1), {Compression::none});
  EXPECT_EQ(sqlstate_of([&] { writer.append("1\n", 2); }), "XX000");
  EXPECT_EQ(sqlstate_of([&] { writer.finish(); }), "XX000");
  ArchiveWriter partial(sink, sha, sample_manifest(1), {Compression::none});
  partial.begin_table();
  partial.append("1\n2", 3);
  EXPECT_EQ(sqlstate_of([&] { partial.end_table("h"); }), "XX000");
  EXPECT_EQ(sqlstate_of([&] { partial.finish(); }), "XX000");
}

}  // namespace
}  // namespace pgdb::archive
