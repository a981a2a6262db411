// State that lives until the end of the current transaction and follows PostgreSQL's
// subtransaction semantics: what a rolled-back subtransaction (ROLLBACK TO SAVEPOINT, a failed
// PL/pgSQL exception block) added is gone, what a committed one added passes to its parent.
// PG-free: the boundary (src/pg/xact.hpp) feeds it PostgreSQL's transaction events.
#pragma once

#include <algorithm>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

namespace pgdb {

// PostgreSQL's SubTransactionId: the top level is 1, and a child's id is greater than its parent's.
using SubxactId = std::uint32_t;

// Receives the transaction events of the backend. Implementations must not throw or allocate:
// they run inside PostgreSQL's commit and abort processing.
class XactListener {
 public:
  virtual ~XactListener() = default;
  virtual void on_subxact_commit(SubxactId committed, SubxactId parent) noexcept = 0;
  virtual void on_subxact_abort(SubxactId aborted) noexcept = 0;
  virtual void on_xact_end() noexcept = 0;  // commit, abort or prepare of the top transaction
};

// Entries in the order they were added, each tagged with the subtransaction that added it.
template <typename T>
class XactJournal final : public XactListener {
  static_assert(std::is_nothrow_move_assignable_v<T>, "journal callbacks must not throw");

 public:
  struct Entry {
    SubxactId subxact;
    T value;
  };

  void add(SubxactId subxact, T value) { entries_.push_back(Entry{subxact, std::move(value)}); }
  // Changes with every transaction event: do not hold on to it across SPI calls or subtransactions.
  const std::vector<Entry>& entries() const noexcept { return entries_; }
  bool empty() const noexcept { return entries_.empty(); }

  // The most recent entry, or nullptr: for state where the last value set wins.
  const T* latest() const noexcept { return entries_.empty() ? nullptr : &entries_.back().value; }

  template <typename Pred>
  bool any_of(Pred pred) const {
    return std::any_of(entries_.begin(), entries_.end(),
                       [&](const Entry& e) { return pred(e.value); });
  }

  void on_subxact_commit(SubxactId committed, SubxactId parent) noexcept override {
    for (Entry& e : entries_) {
      if (e.subxact == committed) e.subxact = parent;
    }
  }

  void on_subxact_abort(SubxactId aborted) noexcept override {
    // Children of the aborted subtransaction have already ended, committing their entries into it
    // or discarding them, so only its own tag is left to remove.
    std::erase_if(entries_, [aborted](const Entry& e) { return e.subxact == aborted; });
  }

  void on_xact_end() noexcept override { entries_.clear(); }

 private:
  std::vector<Entry> entries_;
};

}  // namespace pgdb
