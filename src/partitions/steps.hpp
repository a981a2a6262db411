// The boundaries of a partition set: where periods start, what follows a boundary, and the name
// suffix of a partition starting there. PG-free.
//
// Every bound is a Key, an ordered 64-bit integer: for time sets, local civil time in microseconds
// since 2000-01-01 00:00 (PostgreSQL's timestamp epoch) in the set's time zone, so days, weeks and
// months align to local midnight whatever the offset from UTC (23- and 25-hour days included; the
// boundary converts to and from timestamptz); for integer sets, the value itself.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace pgdb::partitions {

using Key = std::int64_t;

// SQLSTATEs for values out of range (core/error.hpp names the common ones).
inline constexpr std::string_view datetime_field_overflow = "22008";
inline constexpr std::string_view numeric_value_out_of_range = "22003";

// A range bound of MAXVALUE / MINVALUE, or a partition that reaches the end of the type.
inline constexpr Key key_max = std::numeric_limits<Key>::max();
inline constexpr Key key_min = std::numeric_limits<Key>::min();

// PostgreSQL's range of timestamps as keys: 4714-11-24 BC 00:00 (MIN_TIMESTAMP) up to, not
// including, 294277-01-01 00:00 (END_TIMESTAMP). Time keys outside it do not exist.
inline constexpr Key time_key_min = -211'813'488'000'000'000LL;
inline constexpr Key time_key_end = 9'223'371'331'200'000'000LL;

// A PostgreSQL interval, as interval_in parses it.
struct Period {
  std::int32_t months = 0;
  std::int32_t days = 0;
  std::int64_t micros = 0;
};

class Steps {
 public:
  virtual ~Steps() = default;
  // The boundary at or before key.
  virtual Key floor(Key key) const = 0;
  // The boundary after an aligned one; key_max when the type ends first.
  virtual Key next(Key boundary) const = 0;
  // The boundary before an aligned one; key_min when the type starts first.
  virtual Key previous(Key boundary) const = 0;
  // The name suffix of a partition starting at boundary: YYYYMMDD, YYYYMMDD_HH24MI or YYYYMM for
  // time sets, the value for integer sets.
  virtual std::string label(Key boundary) const = 0;
};

// Periods of a PostgreSQL interval. Month intervals (1 month, 3 months, 1 year) start on the first
// of a month, counted from January 2000 (so quarters and years align to the calendar); day and
// shorter intervals count from 2000-01-01 00:00, weeks from Monday 2000-01-03. Throws 22023 for an
// interval that mixes months with days or time, is not positive, or is longer than the range of
// timestamps. Boundaries past the range are key_max (the last partition ends at MAXVALUE) and
// before it key_min; floor() throws 22008 for a key outside it.
class TimeSteps final : public Steps {
 public:
  explicit TimeSteps(Period interval);
  Key floor(Key key) const override;
  Key next(Key boundary) const override;
  Key previous(Key boundary) const override;
  std::string label(Key boundary) const override;

 private:
  Period interval_;
  std::int64_t stride_;  // microseconds, for day and shorter intervals
  Key origin_;
};

// Periods of `width` values within [min, max] (the column type's range), aligned to multiples of
// width. Throws 22023 for a width that is not positive and 22003 for one larger than max. Every
// step moves strictly forward (next) or backward (previous), so loops over periods end.
class IntegerSteps final : public Steps {
 public:
  IntegerSteps(std::int64_t width, std::int64_t min, std::int64_t max);
  Key floor(Key key) const override;
  Key next(Key boundary) const override;
  Key previous(Key boundary) const override;
  std::string label(Key boundary) const override;

 private:
  std::int64_t width_;
  std::int64_t min_;
  std::int64_t max_;
};

// local + sign * interval in civil time: months move the calendar month (the day clamped to the
// month's length), days and time add to the local clock. nullopt when the result falls outside
// the range of timestamps (or the arithmetic would overflow).
std::optional<Key> shift(Key local, const Period& interval, int sign);

// shift(), throwing 22008 (datetime_field_overflow) for a result outside the range of timestamps.
Key add_interval(Key local, const Period& interval, int sign);

// Whether a time key lies within the range of timestamps.
inline bool in_time_range(Key key) { return key >= time_key_min && key < time_key_end; }

// "YYYY-MM-DD HH:MI:SS.FFFFFF" (or "YYYY-MM-DD" when date_only), for SQL literals.
std::string local_text(Key local, bool date_only);

// Civil calendar helpers for local time keys (exposed for tests and the boundary's conversions).
struct CivilTime {
  int year, month, day, hour, minute, second;
  int micro;
};
CivilTime to_civil(Key local);
Key from_civil(const CivilTime& civil);

inline constexpr std::int64_t micros_per_day = 86'400'000'000LL;

}  // namespace pgdb::partitions
