#include "core/xact_journal.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pgdb {
namespace {

std::vector<std::string> values(const XactJournal<std::string>& journal) {
  std::vector<std::string> out;
  for (const auto& e : journal.entries()) out.push_back(e.value);
  return out;
}

using Names = std::vector<std::string>;

TEST(XactJournal, EndOfTransactionClearsEverything) {
  XactJournal<std::string> j;
  j.add(1, "a");
  j.add(2, "b");
  j.on_xact_end();
  EXPECT_TRUE(j.empty());
  EXPECT_EQ(j.latest(), nullptr);
}

TEST(XactJournal, AbortedSubtransactionLosesOnlyItsEntries) {
  XactJournal<std::string> j;
  j.add(1, "top");
  j.add(2, "savepoint");
  j.on_subxact_abort(2);
  EXPECT_EQ(values(j), Names{"top"});
}

TEST(XactJournal, CommittedSubtransactionHandsEntriesToItsParent) {
  XactJournal<std::string> j;
  j.add(1, "top");
  j.add(2, "s1");
  j.add(3, "s2");
  j.on_subxact_commit(3, 2);  // RELEASE s2
  j.on_subxact_abort(2);      // ROLLBACK TO s1: s2's entries went with it
  EXPECT_EQ(values(j), Names{"top"});
}

TEST(XactJournal, ReleasedThenOuterRollbackKeepsEarlierLevels) {
  XactJournal<std::string> j;
  j.add(2, "s1");
  j.add(3, "s2");
  j.on_subxact_commit(3, 2);
  j.on_subxact_commit(2, 1);
  j.add(4, "s3");
  j.on_subxact_abort(4);
  EXPECT_EQ(values(j), (Names{"s1", "s2"}));
}

TEST(XactJournal, LatestIsTheLastSurvivingEntry) {
  XactJournal<std::string> j;
  j.add(1, "first");
  j.add(2, "second");
  ASSERT_NE(j.latest(), nullptr);
  EXPECT_EQ(*j.latest(), "second");
  j.on_subxact_abort(2);
  EXPECT_EQ(*j.latest(), "first");
}

TEST(XactJournal, AnyOfLooksAtValues) {
  XactJournal<std::string> j;
  j.add(1, "pgdb_protect_orders");
  EXPECT_TRUE(j.any_of([](const std::string& v) { return v == "pgdb_protect_orders"; }));
  EXPECT_FALSE(j.any_of([](const std::string& v) { return v == "*"; }));
}

}  // namespace
}  // namespace pgdb
