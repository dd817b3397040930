#pragma once
// Calendar arithmetic shared by the ISO 8601 timestamps (wire/iso8601) and the HTTP-date form of
// Retry-After (policy/retry_policy): days since 1970-01-01 of a proleptic Gregorian date, valid
// for every year an std::int64_t count of days can hold (H. Hinnant's days_from_civil).

#include <cstdint>

namespace flowtrack::detail {

// Days from 1970-01-01 to year-month-day; month 1-12, day 1-31 (not checked: callers validate).
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

static_assert(days_from_civil(1970, 1, 1) == 0);
static_assert(days_from_civil(2000, 3, 1) == 11017);
static_assert(days_from_civil(1969, 12, 31) == -1);

}  // namespace flowtrack::detail
