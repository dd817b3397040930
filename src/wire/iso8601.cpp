#include "wire/iso8601.hpp"

#include <array>
#include <cstdint>
#include <cstring>

#include "common/civil_date.hpp"

namespace flowtrack::detail {
namespace {

// Howard Hinnant's civil-from-days (days_from_civil is in common/civil_date.hpp).
void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}


void put2(char* p, unsigned v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
}

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  return true;
}

// "YYYY-MM-DDTHH:MM:SS." of the second `second` (seconds since the epoch), into out20.
void format_second(std::int64_t second, char* out20) {
  std::int64_t days = second / 86400, rem = second % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  std::int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  if (y < 0) y = 0;
  if (y > 9999) y = 9999;
  const auto year = static_cast<unsigned>(y), secs = static_cast<unsigned>(rem);
  put2(out20, year / 100);
  put2(out20 + 2, year % 100);
  out20[4] = '-';
  put2(out20 + 5, m);
  out20[7] = '-';
  put2(out20 + 8, d);
  out20[10] = 'T';
  put2(out20 + 11, secs / 3600);
  out20[13] = ':';
  put2(out20 + 14, secs / 60 % 60);
  out20[16] = ':';
  put2(out20 + 17, secs % 60);
  out20[19] = '.';
}

}  // namespace

void format_iso8601(std::chrono::system_clock::time_point t, char* out) {
  using namespace std::chrono;
  const std::int64_t ms = floor<milliseconds>(t.time_since_epoch()).count();
  std::int64_t second = ms / 1000, millis = ms % 1000;
  if (millis < 0) {
    millis += 1000;
    --second;
  }
  // Everything but the milliseconds changes once a second: each thread keeps the last second
  // it formatted (events come many to a second), so most calls copy it and write 3 digits.
  thread_local std::int64_t cached_second = INT64_MIN;
  thread_local std::array<char, 20> cached{};
  if (second != cached_second) {
    format_second(second, cached.data());
    cached_second = second;
  }
  std::memcpy(out, cached.data(), cached.size());
  const auto mmm = static_cast<unsigned>(millis);
  out[20] = static_cast<char>('0' + mmm / 100);
  put2(out + 21, mmm % 100);
  out[23] = 'Z';
}

std::string to_iso8601(std::chrono::system_clock::time_point t) {
  std::string s(iso8601_length, '\0');
  format_iso8601(t, s.data());
  return s;
}

std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view s) {
  using namespace std::chrono;
  int y, mo, d, h, mi, sec;
  if (!digits(s, 0, 4, y) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s, 11, 2, h) ||
      s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, sec))
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  static constexpr int month_days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (d > month_days[mo - 1] || (mo == 2 && d == 29 && !leap)) return std::nullopt;
  std::size_t pos = 19;
  std::int64_t nanos = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    std::size_t start = pos;
    std::int64_t scale = 100000000;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      nanos += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  if (pos >= s.size()) return std::nullopt;
  int offset_minutes = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    const int sign = s[pos] == '-' ? -1 : 1;
    int oh, om;
    if (!digits(s, pos + 1, 2, oh)) return std::nullopt;
    std::size_t mpos = pos + 3;
    if (mpos < s.size() && s[mpos] == ':') ++mpos;
    if (!digits(s, mpos, 2, om) || oh > 23 || om > 59) return std::nullopt;
    offset_minutes = sign * (oh * 60 + om);
    pos = mpos + 2;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  const std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  const int second_of_day = h * 3600 + mi * 60 + sec - offset_minutes * 60;  // UTC, so maybe < 0 or >= 86400
  const std::int64_t seconds = days * 86400 + second_of_day;
  // system_clock's nanoseconds span 1677-2262: refuse instants it cannot hold.
  constexpr std::int64_t limit = duration_cast<std::chrono::seconds>(system_clock::duration::max()).count() - 1;
  if (seconds > limit || seconds < -limit) return std::nullopt;
  return system_clock::time_point(duration_cast<system_clock::duration>(std::chrono::seconds(seconds) +
                                                                       std::chrono::nanoseconds(nanos)));
}

}  // namespace flowtrack::detail
