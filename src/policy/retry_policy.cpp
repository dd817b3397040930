#include "policy/retry_policy.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "common/civil_date.hpp"
#include "flowtrack/error.hpp"

namespace flowtrack::detail {

status_class classify_status(int s) noexcept {
  if (s >= 200 && s < 300) return status_class::success;
  if (s == 408 || s == 410 || s == 429 || s == 460) return status_class::retryable;
  if (s >= 500 && s < 600) return (s == 501 || s == 505 || s == 511) ? status_class::permanent : status_class::retryable;
  return status_class::permanent;
}

std::chrono::milliseconds backoff_delay(const retry_config& c, int retry_number, std::uint64_t random_bits) noexcept {
  const std::int64_t cap = std::max<std::int64_t>(0, c.max_delay.count());
  std::int64_t d = std::clamp<std::int64_t>(c.base_delay.count(), 0, cap);
  // Doubling stops at the cap (or at 0): bounded work and no overflow for any retry_number.
  for (int i = 1; i < retry_number && d > 0 && d < cap; ++i) d = d > cap / 2 ? cap : d * 2;
  const double u = static_cast<double>(random_bits >> 11) * 0x1.0p-53;  // [0, 1)
  const double jitter = c.jitter >= 0.0 ? std::min(c.jitter, 1.0) : 0.0;  // NaN: no jitter
  const double jittered = static_cast<double>(d) - jitter * u * static_cast<double>(d);
  // Rounded down; a d near 2^63 rounds to 2^63 in double, which int64 cannot hold: keep d then.
  if (jittered >= 0x1.0p63) return std::chrono::milliseconds(d);
  return std::chrono::milliseconds(std::clamp<std::int64_t>(static_cast<std::int64_t>(jittered), 0, d));
}

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

int month_index(std::string_view m) {
  static constexpr std::array<std::string_view, 12> names = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (std::size_t i = 0; i < names.size(); ++i)
    if (m == names[i]) return static_cast<int>(i) + 1;
  return 0;
}

bool number(std::string_view s, int& out) {
  if (s.empty() || s.size() > 4) return false;
  out = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  return true;
}

bool clock_time(std::string_view s, int& h, int& m, int& sec) {
  return s.size() == 8 && s[2] == ':' && s[5] == ':' && number(s.substr(0, 2), h) && number(s.substr(3, 2), m) &&
         number(s.substr(6, 2), sec) && h < 24 && m < 60 && sec <= 60;
}


// Splits on spaces (runs of them, as asctime pads the day).
std::array<std::string_view, 6> words(std::string_view s, std::size_t& count) {
  std::array<std::string_view, 6> out{};
  count = 0;
  while (!s.empty()) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    if (s.empty()) break;
    const auto end = s.find(' ');
    if (count == out.size()) {
      count = out.size() + 1;
      return out;
    }
    out[count++] = s.substr(0, end);
    s.remove_prefix(end == std::string_view::npos ? s.size() : end);
  }
  return out;
}

// Seconds since the epoch (kept as an integer: years past 2262 do not fit a system_clock time_point).
std::optional<std::int64_t> parse_http_date(std::string_view s) {
  std::size_t n = 0;
  auto w = words(s, n);
  int day = 0, month = 0, year = 0, h = 0, m = 0, sec = 0;
  if (n == 6 && w[0].size() == 4 && w[0][3] == ',' && w[5] == "GMT") {  // Sun, 06 Nov 1994 08:49:37 GMT
    if (!number(w[1], day) || !(month = month_index(w[2])) || w[3].size() != 4 || !number(w[3], year) ||
        !clock_time(w[4], h, m, sec))
      return std::nullopt;
  } else if (n == 4 && w[0].ends_with(',') && w[3] == "GMT") {  // Sunday, 06-Nov-94 08:49:37 GMT
    const auto date = w[1];
    if (date.size() != 9 || date[2] != '-' || date[6] != '-' || !number(date.substr(0, 2), day) ||
        !(month = month_index(date.substr(3, 3))) || !number(date.substr(7, 2), year) || !clock_time(w[2], h, m, sec))
      return std::nullopt;
    year += year < 70 ? 2000 : 1900;
  } else if (n == 5) {  // Sun Nov  6 08:49:37 1994
    if (!(month = month_index(w[1])) || !number(w[2], day) || !clock_time(w[3], h, m, sec) || w[4].size() != 4 ||
        !number(w[4], year))
      return std::nullopt;
  } else {
    return std::nullopt;
  }
  static constexpr int month_days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (day < 1 || day > month_days[month - 1] || (month == 2 && day == 29 && !leap)) return std::nullopt;
  const std::int64_t days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const int second_of_day = h * 3600 + m * 60 + sec;
  return days * 86400 + second_of_day;
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now,
                                                           std::chrono::milliseconds clamp) {
  using std::chrono::milliseconds;
  clamp = std::max(clamp, milliseconds(0));
  value = trim(value);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    const std::int64_t limit = clamp.count() / 1000 + 1;
    std::int64_t seconds = 0;
    for (char c : value) {
      seconds = seconds * 10 + (c - '0');
      if (seconds > limit) return clamp;  // huge values: clamped, never overflowing
    }
    return std::min(milliseconds(seconds * 1000), clamp);
  }
  const auto when = parse_http_date(value);
  if (!when) return std::nullopt;
  const std::int64_t now_ms = std::chrono::floor<milliseconds>(now.time_since_epoch()).count();
  const std::int64_t delta = *when * 1000 - now_ms;  // |values| < 2^49: no overflow
  if (delta <= 0) return milliseconds(0);
  return std::min(milliseconds(delta), clamp);
}

bool retry_budget::may_retry(int attempts_made, std::chrono::steady_clock::time_point now,
                             std::chrono::milliseconds next_delay) const noexcept {
  if (attempts_made >= config_.max_attempts) return false;
  if (config_.total_budget.count() <= 0) return true;
  // now + next_delay > first + budget, in milliseconds so a huge next_delay cannot overflow:
  // elapsed > budget - next_delay  <=>  ceil(elapsed in ms) > budget - next_delay.
  const std::int64_t elapsed = std::chrono::ceil<std::chrono::milliseconds>(now - first_).count();
  const std::int64_t next = std::max<std::int64_t>(0, next_delay.count());
  return !(elapsed > config_.total_budget.count() - next);
}

}  // namespace flowtrack::detail
