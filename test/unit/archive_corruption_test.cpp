#include <gtest/gtest.h>

#include "archive_rebuild.hpp"
#include "core/error.hpp"

namespace pgdb::archive {
namespace {

using testing::assemble;
using testing::chunk_section;
using testing::parse;
using testing::Parsed;
using testing::RawSection;
using testing::read_archive;
using testing::sample_manifest;
using testing::write_archive;

constexpr auto chunk_kind = static_cast<std::uint16_t>(SectionKind::chunk);

// The SQLSTATE and message reading bytes fails with ("ok" when it reads).
struct Outcome {
  std::string sqlstate;
  std::string message;
};
Outcome read_outcome(std::string_view bytes, ReaderOptions options = {}) {
  try {
    read_archive(bytes, options);
  } catch (const Error& e) {
    return {e.sqlstate(), e.what()};
  }
  return {"ok", ""};
}

std::string small_archive(Compression method) {
  std::vector<std::string> rows = {"1\talpha\n2\t\\N\n", "", std::string(600, 'z') + "\n3\tc\n"};
  return write_archive(sample_manifest(3), rows, {method, 0, limits::chunk_size_min});
}

class ArchiveCorruption : public ::testing::TestWithParam<Compression> {};

TEST_P(ArchiveCorruption, EveryFlippedBitIsCaught) {
  std::string good = small_archive(GetParam());
  ASSERT_EQ(read_outcome(good).sqlstate, "ok");
  for (std::size_t at = 0; at < good.size(); ++at) {
    for (int bit : {at % 8, 7 - at % 8}) {
      std::string bad = good;
      bad[at] = static_cast<char>(bad[at] ^ (1 << bit));
      Outcome outcome = read_outcome(bad);
      ASSERT_EQ(outcome.sqlstate, "XX001") << "byte " << at << " bit " << bit;
      // Without checksums a flip may go unnoticed, but never beyond a clean error.
      std::string unchecked = read_outcome(bad, {false}).sqlstate;
      ASSERT_TRUE(unchecked == "ok" || unchecked == "XX001" || unchecked == "0A000")
          << "byte " << at << ": " << unchecked;
    }
  }
}

TEST_P(ArchiveCorruption, EveryTruncationIsCaught) {
  std::string good = small_archive(GetParam());
  for (std::size_t size = 0; size < good.size(); ++size) {
    Outcome outcome = read_outcome(std::string_view(good).substr(0, size));
    ASSERT_EQ(outcome.sqlstate, "XX001") << size;
    ASSERT_EQ(outcome.message.rfind("archive is truncated: the file ends inside ", 0), 0u)
        << size << ": " << outcome.message;
    std::string cut = good.substr(0, size);
    testing::StringSource source(cut);
    try {
      read_listing(source);
      ADD_FAILURE() << "a listing of " << size << " bytes was read";
    } catch (const Error& e) {
      ASSERT_STREQ(e.sqlstate(), "XX001") << size;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(EachCompression, ArchiveCorruption,
                         ::testing::Values(Compression::none, Compression::zstd, Compression::lz4),
                         [](const auto& info) {
                           return std::string(compression_name(info.param));
                         });

// Where a flip lands decides what the message names.
TEST(ArchiveCorruption, MessagesNameWhatIsDamaged) {
  std::string good = small_archive(Compression::zstd);
  Summary summary = read_archive(good).summary;
  auto flipped = [&](std::size_t at) {
    std::string bad = good;
    bad[at] = static_cast<char>(bad[at] ^ 0x10);
    return read_outcome(bad).message;
  };
  std::size_t chunk_data =
      summary.tables[2].first_chunk_offset + section_header_size + chunk_prefix_size + 3;
  EXPECT_EQ(flipped(0), "file is not a pgdb_tools archive");
  EXPECT_EQ(flipped(10), "archive is damaged: the header checksum does not match");
  EXPECT_EQ(flipped(header_size + section_header_size + 2),
            "archive is damaged: the checksum of the manifest does not match");
  EXPECT_EQ(flipped(chunk_data), "archive is damaged: the checksum of a chunk does not match");
  EXPECT_EQ(flipped(good.size() - trailer_size - 3),
            "archive is damaged: the checksum of the summary does not match");
  EXPECT_EQ(flipped(good.size() - trailer_size + 2),
            "archive is damaged: the trailer does not follow the summary");
  EXPECT_EQ(flipped(good.size() - trailer_size + 9),
            "archive is damaged: the trailer does not point at the summary");
  EXPECT_EQ(flipped(good.size() - 1),
            "archive is damaged: the file's SHA-256 does not match its trailer");
  EXPECT_EQ(read_outcome(good + "x").message, "archive is damaged: bytes follow the trailer");
}

TEST(ArchiveCorruption, LengthsThatLieAreRefusedBeforeAllocating) {
  std::string good = small_archive(Compression::lz4);
  auto with_manifest_length = [&](std::uint32_t length) {
    std::string bad = good;
    put_u32(reinterpret_cast<unsigned char*>(bad.data()) + header_size + 4, length);
    return read_outcome(bad).message;
  };
  EXPECT_EQ(with_manifest_length(0xFFFFFFF0u),
            "archive is damaged: the manifest declares 4294967280 bytes, more than the 67108864 "
            "allowed");
  EXPECT_EQ(with_manifest_length(limits::metadata_section),
            "archive is truncated: the file ends inside the manifest");
  Parsed parsed = parse(good);
  RawSection& chunk = parsed.sections[2];  // table 2's, which compresses
  ASSERT_EQ(chunk.kind, chunk_kind);
  auto* prefix = reinterpret_cast<unsigned char*>(chunk.payload.data());
  ASSERT_EQ(prefix[16], static_cast<unsigned char>(Compression::lz4));
  put_u32(prefix + 8, limits::chunk_raw);
  EXPECT_EQ(read_outcome(assemble(parsed)).message,
            "archive is damaged: a chunk decompresses to 605 bytes, not the 16777216 it declares");
  prefix[16] = static_cast<unsigned char>(Compression::none);
  EXPECT_EQ(read_outcome(assemble(parsed)).message,
            "archive is damaged: a chunk's stored length 13 does not fit its declared length "
            "16777216");
  prefix[16] = static_cast<unsigned char>(Compression::lz4);
  put_u32(prefix + 8, limits::chunk_raw + 1);
  EXPECT_EQ(read_outcome(assemble(parsed)).message,
            "archive is damaged: a chunk declares 16777217 bytes of rows (1 to 16777216 allowed)");
  Parsed fields = parse(good);
  put_u32(reinterpret_cast<unsigned char*>(fields.sections[0].payload.data()) + 2, 1u << 30);
  EXPECT_EQ(read_outcome(assemble(fields)).message,
            "archive is damaged: the manifest has a field that runs past its end");
}

TEST(ArchiveCorruption, ChunksOutOfPlaceAreCaughtBehindValidChecksums) {
  std::string rows(3 * limits::chunk_size_min, 'r');
  for (std::size_t i = 99; i < rows.size(); i += 100) rows[i] = '\n';
  rows.back() = '\n';
  std::string good = write_archive(sample_manifest(2), {rows, "1\n"},
                                   {Compression::none, 0, limits::chunk_size_min});
  Parsed parsed = parse(good);
  ASSERT_EQ(parsed.sections.size(), 7u);  // manifest, 4 + 1 chunks, summary
  auto outcome = [](Parsed p) { return read_outcome(assemble(p)).message; };
  Parsed swapped = parsed;
  std::swap(swapped.sections[1], swapped.sections[2]);
  EXPECT_EQ(outcome(swapped),
            "archive is damaged: chunk 1 of table app.t0 is where chunk 0 belongs");
  Parsed reordered = parsed;
  std::rotate(reordered.sections.begin() + 1, reordered.sections.begin() + 5,
              reordered.sections.begin() + 6);
  EXPECT_EQ(outcome(reordered),
            "archive is damaged: a chunk of table app.t0 follows the rows of table app.t1");
  Parsed dropped = parsed;
  dropped.sections.erase(dropped.sections.begin() + 4);
  EXPECT_EQ(outcome(dropped),
            "archive is damaged: the summary gives table app.t0 123 rows, its chunks 120");
  Parsed partial_row = parsed;
  partial_row.sections[5] = chunk_section(1, 0, "1");
  EXPECT_EQ(outcome(partial_row), "archive is damaged: the rows of table app.t1 end inside a row");
  Parsed wrong_table = parsed;
  wrong_table.sections[5] = chunk_section(2, 0, "1\n");
  EXPECT_EQ(outcome(wrong_table), "archive is damaged: a chunk names table 2 of a manifest of 2");
  Parsed counts = parsed;
  counts.sections[5].payload[12] = 2;
  EXPECT_EQ(outcome(counts),
            "archive is damaged: a chunk of table app.t1 holds 1 rows, not the 2 it declares");
  Parsed no_manifest = parsed;
  no_manifest.sections.erase(no_manifest.sections.begin());
  EXPECT_EQ(outcome(no_manifest), "archive is damaged: the first section is not the manifest");
  Parsed two_manifests = parsed;
  two_manifests.sections.insert(two_manifests.sections.begin() + 1, parsed.sections[0]);
  EXPECT_EQ(outcome(two_manifests), "archive is damaged: a second manifest follows the first");
  Parsed summary_says = parse(good);
  Summary summary = decode_summary(summary_says.sections.back().payload, 0, format_minor);
  summary.tables[1].rows = 5;
  summary_says.sections.back().payload = encode_summary(summary);
  EXPECT_EQ(outcome(summary_says),
            "archive is damaged: the summary gives table app.t1 5 rows, its chunks 1");
}

// What a newer writer may add: a minor version's optional sections and fields are skipped; its
// unknown values, required sections, critical fields, and a new major version are refused.
TEST(ArchiveVersions, NewerMinorAdditionsAreSkippedOthersRefused) {
  std::string good = small_archive(Compression::zstd);
  Parsed newer = parse(good);
  put_u16(reinterpret_cast<unsigned char*>(newer.header.data()) + 10, 7);
  newer.sections.insert(newer.sections.end() - 1, {77, section_optional, "future index"});
  newer.sections.insert(newer.sections.begin() + 1, {78, section_optional, ""});
  newer.sections[0].payload += std::string("\x63\x00\x03\x00\x00\x00new", 9);
  testing::ReadBack back = read_archive(assemble(newer));
  EXPECT_EQ(back.rows, read_archive(good).rows);

  auto refused = [&](auto change) {
    Parsed p = newer;
    change(p);
    Outcome outcome = read_outcome(assemble(p));
    EXPECT_EQ(outcome.sqlstate, "0A000") << outcome.message;
    return outcome.message;
  };
  EXPECT_EQ(refused([](Parsed& p) { p.sections[1].flags = 0; }),
            "archive holds a section of kind 78, unknown to this reader");
  EXPECT_EQ(refused([](Parsed& p) { p.sections[1].flags = 4; }),
            "archive section flags 4 are unknown to this reader");
  EXPECT_EQ(refused([](Parsed& p) { p.sections[0].payload += std::string("\x01\x80\0\0\0\0", 6); }),
            "the manifest has field 32769, which this reader must understand but does not know");
  EXPECT_EQ(refused([](Parsed& p) { p.sections[2].payload[16] = 9; }),
            "chunk uses compression method 9, unknown to this reader");
  EXPECT_EQ(refused([](Parsed& p) { p.header[12] = 1; }),
            "archive sets header flags this reader does not know");
  std::string major = refused([](Parsed& p) { p.header[8] = 2; });
  EXPECT_EQ(major, "archive format version 2.7 is newer than this reader supports (1.0)");
  try {
    Parsed p = newer;
    p.sections[2].payload[16] = 9;
    read_archive(assemble(p));
  } catch (const Error& e) {
    EXPECT_EQ(e.detail(), "The archive is format 1.7; this reader reads format 1.0.");
  }
}

TEST(ArchiveVersions, AnUnknownRowFormatIsRefused) {
  Manifest manifest = sample_manifest(0);
  std::string bytes = write_archive(manifest, {});
  Parsed parsed = parse(bytes);
  std::string& payload = parsed.sections[0].payload;
  // The row format field: tag 11, length 8, value 1.
  std::string field("\x0b\x00\x08\x00\x00\x00\x01", 7);
  std::size_t at = payload.find(field);
  ASSERT_NE(at, std::string::npos);
  payload[at + 6] = 2;
  EXPECT_EQ(read_outcome(assemble(parsed)).message,
            "archive uses row format 2, unknown to this reader");
  payload[at + 6] = 0;
  EXPECT_EQ(read_outcome(assemble(parsed)).message,
            "archive is damaged: row format 0 does not exist");
}

}  // namespace
}  // namespace pgdb::archive
