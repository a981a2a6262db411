#include "snapshots/archive_path.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pgdb::archive {
namespace {

TEST(ArchivePath, AcceptsRelativePaths) {
  ConfinedPath p = confine_path("nightly/db.pgdbsnap");
  ASSERT_FALSE(p.refusal);
  EXPECT_EQ(p.directories, std::vector<std::string>{"nightly"});
  EXPECT_EQ(p.file, "db.pgdbsnap");
  p = confine_path("./a//b/./c");
  ASSERT_FALSE(p.refusal);
  EXPECT_EQ(p.directories, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(p.file, "c");
  p = confine_path("x..y");
  ASSERT_FALSE(p.refusal);
  EXPECT_EQ(p.file, "x..y");
}

TEST(ArchivePath, RefusesEscapes) {
  for (const char* bad :
       {"/etc/passwd", "../x", "a/../../x", "a/..", "..", "", "a/", ".", "./", "a/.pgdb_tmp_1"}) {
    ConfinedPath p = confine_path(bad);
    EXPECT_TRUE(p.refusal) << bad;
    EXPECT_TRUE(p.file.empty()) << bad;
    EXPECT_TRUE(p.directories.empty()) << bad;
  }
  EXPECT_EQ(*confine_path("/tmp/x").refusal, "the path is absolute");
  EXPECT_EQ(*confine_path("a/../b").refusal, "the path has a \"..\" component");
  EXPECT_TRUE(confine_path(std::string("a\0b", 3)).refusal);
  EXPECT_TRUE(confine_path(std::string(256, 'a')).refusal);
  EXPECT_FALSE(confine_path(std::string(255, 'a')).refusal);
  EXPECT_TRUE(confine_path(std::string(1025, 'a')).refusal);
}

TEST(ArchivePath, DefaultFileName) {
  EXPECT_EQ(default_file_name("before"), "before.pgdbsnap");
  EXPECT_EQ(default_file_name("a/../b"), "a_.._b.pgdbsnap");
  EXPECT_EQ(default_file_name(".."), "_...pgdbsnap");
  EXPECT_FALSE(confine_path(default_file_name("..")).refusal);
  EXPECT_FALSE(confine_path(default_file_name(".pgdb_tmp_x")).refusal);
}

TEST(ArchivePath, ArchiveNames) {
  EXPECT_TRUE(is_archive_name("a.pgdbsnap"));
  EXPECT_FALSE(is_archive_name(".pgdbsnap"));
  EXPECT_FALSE(is_archive_name("a.pgdbsnap.tmp"));
  EXPECT_FALSE(is_archive_name(".pgdb_tmp_12_a.pgdbsnap"));
  EXPECT_FALSE(is_archive_name("notes.txt"));
}

std::string copy_text(const std::string& value) {
  std::string out;
  append_copy_text(out, value.data(), value.size());
  return out;
}

TEST(ArchivePath, ScheduledArchiveNames) {
  EXPECT_TRUE(is_scheduled_archive_name("nightly_20261203_031500.pgdbsnap", "nightly"));
  EXPECT_FALSE(is_scheduled_archive_name("nightly_20261203_031500.pgdbsnap", "night"));
  EXPECT_FALSE(is_scheduled_archive_name("nightly_x_20261203_031500.pgdbsnap", "nightly"));
  EXPECT_FALSE(is_scheduled_archive_name("nightly_2026120_0315000.pgdbsnap", "nightly"));
  EXPECT_FALSE(is_scheduled_archive_name("nightly_20261203_03150a.pgdbsnap", "nightly"));
  EXPECT_FALSE(is_scheduled_archive_name("nightly_20261203_031500.pgdbsnap.bak", "nightly"));
  EXPECT_FALSE(is_scheduled_archive_name("nightly_20261203_031500", "nightly"));
  EXPECT_FALSE(is_scheduled_archive_name("_20261203_031500.pgdbsnap", ""));
  // A prefix that ends like another's time stamp still only takes its own names.
  EXPECT_TRUE(
      is_scheduled_archive_name("a_20260101_000000_20261203_031500.pgdbsnap", "a_20260101_000000"));
  EXPECT_FALSE(is_scheduled_archive_name("a_20260101_000000_20261203_031500.pgdbsnap", "a"));
}

TEST(ArchivePath, TemporaryOwner) {
  EXPECT_EQ(temporary_owner(".pgdb_tmp_4242_nightly.pgdbsnap"), 4242);
  EXPECT_EQ(temporary_owner(".pgdb_tmp_1_x"), 1);
  EXPECT_EQ(temporary_owner("nightly.pgdbsnap"), std::nullopt);
  EXPECT_EQ(temporary_owner(".pgdb_tmp_"), std::nullopt);
  EXPECT_EQ(temporary_owner(".pgdb_tmp_4242"), std::nullopt);
  EXPECT_EQ(temporary_owner(".pgdb_tmp_42a_x"), std::nullopt);
  EXPECT_EQ(temporary_owner(".pgdb_tmp_0_x"), std::nullopt);
  EXPECT_EQ(temporary_owner(".pgdb_tmp_99999999999_x"), std::nullopt);
}

TEST(ArchivePath, ArchivesBeyondKeepLast) {
  std::vector<std::string> names{"p_20260102_000000.pgdbsnap", "p_20251231_235959.pgdbsnap",
                                 "p_20260103_120000.pgdbsnap", "p_20260101_000000.pgdbsnap"};
  EXPECT_EQ(archives_beyond(names, 2),
            (std::vector<std::string>{"p_20260101_000000.pgdbsnap", "p_20251231_235959.pgdbsnap"}));
  EXPECT_TRUE(archives_beyond(names, 4).empty());
  EXPECT_TRUE(archives_beyond(names, 7).empty());
  EXPECT_EQ(archives_beyond(names, 0).size(), 4u);
  EXPECT_TRUE(archives_beyond({}, 1).empty());
}

TEST(ArchiveCopyText, EscapesAsCopyToDoes) {
  EXPECT_EQ(copy_text("plain text"), "plain text");
  EXPECT_EQ(copy_text(""), "");
  EXPECT_EQ(copy_text("a\\b"), "a\\\\b");
  EXPECT_EQ(copy_text("tab\there"), "tab\\there");
  EXPECT_EQ(copy_text("l1\nl2\r\n"), "l1\\nl2\\r\\n");
  EXPECT_EQ(copy_text("\b\f\v"), "\\b\\f\\v");
  EXPECT_EQ(copy_text("\\."), "\\\\.");
  EXPECT_EQ(copy_text("\\N"), "\\\\N");
  EXPECT_EQ(copy_text("caf\xc3\xa9"), "caf\xc3\xa9");
  std::string out;
  append_copy_null(out);
  EXPECT_EQ(out, "\\N");
}

}  // namespace
}  // namespace pgdb::archive
