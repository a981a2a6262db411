#include "partitions/steps.hpp"

#include <cstdio>

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

Key add_interval(Key local, const Period& interval, int sign) {
  Key result = local;
  if (interval.months != 0) {
    CivilTime t = to_civil(result);
    std::int64_t month_index = (t.year - 2000) * 12LL + (t.month - 1) + sign * interval.months;
    t.year = static_cast<int>(2000 + floor_div(month_index, 12));
    t.month = static_cast<int>(month_index - floor_div(month_index, 12) * 12) + 1;
    static constexpr int lengths[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (t.year % 4 == 0 && t.year % 100 != 0) || t.year % 400 == 0;
    int length = lengths[t.month - 1] + (t.month == 2 && leap ? 1 : 0);
    if (t.day > length) t.day = length;
    result = from_civil(t);
  }
  return result + sign * (interval.days * micros_per_day + interval.micros);
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
  if (shorter) {
    stride_ = interval.days * micros_per_day + interval.micros;
    // Weeks start on Monday: 2000-01-03.
    origin_ = (interval.micros == 0 && interval.days % 7 == 0) ? 2 * micros_per_day : 0;
  }
}

Key TimeSteps::floor(Key key) const {
  if (stride_ != 0) return origin_ + floor_div(key - origin_, stride_) * stride_;
  std::int64_t index = month_index(key);
  return month_start(floor_div(index, interval_.months) * interval_.months);
}

Key TimeSteps::next(Key boundary) const {
  if (stride_ != 0) return boundary + stride_;
  return month_start(month_index(boundary) + interval_.months);
}

Key TimeSteps::previous(Key boundary) const {
  if (stride_ != 0) return boundary - stride_;
  return month_start(month_index(boundary) - interval_.months);
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
}

Key IntegerSteps::floor(Key key) const {
  if (key < min_ + width_) return min_;  // also keeps floor_div * width from overflowing
  Key aligned = floor_div(key, width_) * width_;
  return aligned < min_ ? min_ : aligned;
}

Key IntegerSteps::next(Key boundary) const {
  if (boundary == key_max) return key_max;
  if (boundary < min_ + width_) {
    // The first partition starts at the type's minimum; the next at the first aligned value.
    Key remainder = min_ % width_;
    return remainder == 0 ? min_ + width_ : min_ - remainder;
  }
  // boundary + width, aligned, without overflowing: past max_ the type ends (MAXVALUE).
  Key aligned = floor(boundary);
  if (aligned > max_ - width_) return key_max;
  return aligned + width_;
}

Key IntegerSteps::previous(Key boundary) const {
  if (boundary <= min_) return key_min;
  if (boundary < min_ + width_) return min_;
  Key aligned = floor_div(boundary - 1, width_) * width_;
  return aligned < min_ ? min_ : aligned;
}

std::string IntegerSteps::label(Key boundary) const {
  // unsigned negation: the minimum has no positive counterpart in int64
  return boundary < 0 ? "m" + std::to_string(0ULL - static_cast<unsigned long long>(boundary))
                      : std::to_string(boundary);
}

}  // namespace pgdb::partitions
