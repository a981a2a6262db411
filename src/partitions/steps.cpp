#include "partitions/steps.hpp"

#include <cstdio>
#include <optional>

#include "core/error.hpp"
#include "core/pg_free.hpp"

namespace pgdb::partitions {

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date, and back (H. Hinnant's algorithms).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

constexpr std::int64_t days_1970_to_2000 = 10957;

// The years of the range of timestamps, astronomically numbered (4714 BC is -4713).
constexpr std::int64_t min_year = -4713;
constexpr std::int64_t max_year = 294276;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

}  // namespace

CivilTime to_civil(Key local);
Key from_civil(const CivilTime& t);

namespace {

// Months since January 2000 of a local time, and the start of such a month.
std::int64_t month_index(Key local) {
  CivilTime t = to_civil(local);
  return (t.year - 2000) * 12LL + (t.month - 1);
}

Key month_start(std::int64_t index) {
  CivilTime start{};
  start.year = static_cast<int>(2000 + floor_div(index, 12));
  start.month = static_cast<int>(index - floor_div(index, 12) * 12) + 1;
  start.day = 1;
  return from_civil(start);
}

}  // namespace

CivilTime to_civil(Key local) {
  std::int64_t days = floor_div(local, micros_per_day);
  std::int64_t rest = local - days * micros_per_day;
  std::int64_t y;
  unsigned m, d;
  civil_from_days(days + days_1970_to_2000, y, m, d);
  CivilTime t{};
  t.year = static_cast<int>(y);
  t.month = static_cast<int>(m);
  t.day = static_cast<int>(d);
  t.hour = static_cast<int>(rest / 3'600'000'000LL);
  t.minute = static_cast<int>(rest / 60'000'000LL % 60);
  t.second = static_cast<int>(rest / 1'000'000 % 60);
  t.micro = static_cast<int>(rest % 1'000'000);
  return t;
}

Key from_civil(const CivilTime& t) {
  std::int64_t days =
      days_from_civil(t.year, static_cast<unsigned>(t.month), static_cast<unsigned>(t.day)) -
      days_1970_to_2000;
  return days * micros_per_day + ((t.hour * 60LL + t.minute) * 60 + t.second) * 1'000'000LL +
         t.micro;
}

std::optional<Key> shift(Key local, const Period& interval, int sign) {
  if (!in_time_range(local)) return std::nullopt;
  Key result = local;
  if (interval.months != 0) {
    CivilTime t = to_civil(result);
    std::int64_t month_index =
        (t.year - 2000) * 12LL + (t.month - 1) + sign * static_cast<std::int64_t>(interval.months);
    std::int64_t year = 2000 + floor_div(month_index, 12);
    // Years outside the range of timestamps (and of int) cannot be represented.
    if (year < min_year || year > max_year) return std::nullopt;
    t.year = static_cast<int>(year);
    t.month = static_cast<int>(month_index - floor_div(month_index, 12) * 12) + 1;
    static constexpr int lengths[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (t.year % 4 == 0 && t.year % 100 != 0) || t.year % 400 == 0;
    int length = lengths[t.month - 1] + (t.month == 2 && leap ? 1 : 0);
    if (t.day > length) t.day = length;
    result = from_civil(t);
  }
  std::int64_t span = 0;
  if (__builtin_mul_overflow(static_cast<std::int64_t>(interval.days), micros_per_day, &span) ||
      __builtin_add_overflow(span, interval.micros, &span) ||
      __builtin_mul_overflow(span, static_cast<std::int64_t>(sign), &span) ||
      __builtin_add_overflow(result, span, &result) || !in_time_range(result))
    return std::nullopt;
  return result;
}

Key add_interval(Key local, const Period& interval, int sign) {
  std::optional<Key> result = shift(local, interval, sign);
  if (!result)
    throw Error(datetime_field_overflow, "timestamp out of range",
                "The result falls outside 4714-11-24 BC to 294276-12-31 AD.");
  return *result;
}

std::string local_text(Key local, bool date_only) {
  CivilTime t = to_civil(local);
  char text[48];
  if (date_only) {
    std::snprintf(text, sizeof text, "%04d-%02d-%02d", t.year, t.month, t.day);
  } else {
    std::snprintf(text, sizeof text, "%04d-%02d-%02d %02d:%02d:%02d.%06d", t.year, t.month, t.day,
                  t.hour, t.minute, t.second, t.micro);
  }
  return text;
}

TimeSteps::TimeSteps(Period interval) : interval_(interval), stride_(0), origin_(0) {
  bool months = interval.months != 0;
  bool shorter = interval.days != 0 || interval.micros != 0;
  if (months == shorter || interval.months < 0 || interval.days < 0 || interval.micros < 0)
    throw Error(sqlstate::invalid_parameter_value,
                "partition_interval must be a positive number of months (or years), or of days "
                "and shorter units, not both",
                {},
                "For example '1 day', '1 week', '15 minutes', '1 month', '3 months', '1 year'.");
  // Longer than from 2000 to the end of the range, a period could not even follow the epoch.
  constexpr std::int64_t range = time_key_end;
  bool too_long = months ? interval.months > (max_year - min_year) * 12
                         : __builtin_mul_overflow(static_cast<std::int64_t>(interval.days),
                                                  micros_per_day, &stride_) ||
                               __builtin_add_overflow(stride_, interval.micros, &stride_) ||
                               stride_ >= range;
  if (too_long)
    throw Error(sqlstate::invalid_parameter_value,
                "partition_interval is longer than the range of timestamps (4714 BC to 294276 AD)",
                {}, "For example '1 day', '1 month', '1 year'.");
  if (shorter) {
    // Weeks start on Monday: 2000-01-03.
    origin_ = (interval.micros == 0 && interval.days % 7 == 0) ? 2 * micros_per_day : 0;
  }
}

namespace {

void require_time_key(Key key) {
  if (!in_time_range(key))
    throw Error(datetime_field_overflow, "timestamp out of range for a partition bound",
                "Partition bounds lie between 4714-11-24 BC and 294276-12-31 AD.");
}

// A month index's first day, or key_min / key_max past either end of the range of timestamps.
Key clamped_month_start(std::int64_t index) {
  std::int64_t year = 2000 + floor_div(index, 12);
  if (year > max_year) return key_max;
  if (year < min_year) return key_min;
  Key start = month_start(index);
  return start < time_key_min ? key_min : start;
}

}  // namespace

Key TimeSteps::floor(Key key) const {
  require_time_key(key);
  if (stride_ != 0) {
    // in 128 bits: the product may leave int64 below the range of timestamps
    __int128 aligned = origin_ + static_cast<__int128>(floor_div(key - origin_, stride_)) * stride_;
    return aligned < time_key_min ? key_min : static_cast<Key>(aligned);
  }
  std::int64_t index = month_index(key);
  return clamped_month_start(floor_div(index, interval_.months) * interval_.months);
}

// The first boundary after `boundary`, aligned or not (MINVALUE counts as the range's start).
Key TimeSteps::next(Key boundary) const {
  if (boundary == key_max) return key_max;
  if (boundary == key_min) boundary = time_key_min;
  require_time_key(boundary);
  if (stride_ != 0) {
    __int128 after =
        origin_ + (static_cast<__int128>(floor_div(boundary - origin_, stride_)) + 1) * stride_;
    return after >= time_key_end ? key_max : static_cast<Key>(after);
  }
  std::int64_t index = month_index(boundary);
  return clamped_month_start(floor_div(index, interval_.months) * interval_.months +
                             interval_.months);
}

// The last boundary before `boundary` (MAXVALUE counts as the range's end).
Key TimeSteps::previous(Key boundary) const {
  if (boundary == key_min) return key_min;
  Key last = (boundary == key_max ? time_key_end : boundary) - 1;
  if (last < time_key_min) return key_min;
  require_time_key(last);
  return floor(last);
}

std::string TimeSteps::label(Key boundary) const {
  CivilTime t = to_civil(boundary);
  char text[32];
  if (stride_ == 0) {
    std::snprintf(text, sizeof text, "%04d%02d", t.year, t.month);
  } else if (stride_ % micros_per_day == 0) {
    std::snprintf(text, sizeof text, "%04d%02d%02d", t.year, t.month, t.day);
  } else {
    std::snprintf(text, sizeof text, "%04d%02d%02d_%02d%02d", t.year, t.month, t.day, t.hour,
                  t.minute);
  }
  return text;
}

IntegerSteps::IntegerSteps(std::int64_t width, std::int64_t min, std::int64_t max)
    : width_(width), min_(min), max_(max) {
  if (width <= 0)
    throw Error(sqlstate::invalid_parameter_value,
                "partition_interval must be a positive integer for an integer column", {},
                "For example '100000'.");
  if (width > max)
    throw Error(numeric_value_out_of_range,
                "partition_interval " + std::to_string(width) +
                    " is out of range for the column's type (at most " + std::to_string(max) + ")",
                {}, "For example '100000'.");
}

// Multiples of the width are computed in 128 bits: near the ends of int64 they overflow.
Key IntegerSteps::floor(Key key) const {
  if (key <= min_) return min_;
  __int128 aligned = static_cast<__int128>(floor_div(key, width_)) * width_;
  return aligned < min_ ? min_ : static_cast<Key>(aligned);
}

Key IntegerSteps::next(Key boundary) const {
  if (boundary == key_max) return key_max;
  if (boundary < min_) return min_;
  // The first multiple of the width after boundary; past max_ the type ends (MAXVALUE).
  __int128 after = (static_cast<__int128>(floor_div(boundary, width_)) + 1) * width_;
  return after > max_ ? key_max : static_cast<Key>(after);
}

Key IntegerSteps::previous(Key boundary) const {
  if (boundary <= min_) return key_min;
  if (boundary == key_max) boundary = max_;
  // The last multiple of the width before boundary, or the type's minimum.
  __int128 before = static_cast<__int128>(floor_div(boundary - 1, width_)) * width_;
  return before < min_ ? min_ : static_cast<Key>(before);
}

std::string IntegerSteps::label(Key boundary) const {
  // unsigned negation: the minimum has no positive counterpart in int64
  return boundary < 0 ? "m" + std::to_string(0ULL - static_cast<unsigned long long>(boundary))
                      : std::to_string(boundary);
}

}  // namespace pgdb::partitions
