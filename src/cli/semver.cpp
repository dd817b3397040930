#include "flowtrack/cli/semver.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <vector>

namespace flowtrack::cli {
namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A numeric identifier: digits, no leading zero (but "0" itself).
bool numeric(std::string_view s, std::uint64_t& out) {
  if (!all_digits(s) || (s.size() > 1 && s.front() == '0')) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && end == s.data() + s.size();
}

bool identifier_chars(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
  });
}

struct version {
  std::uint64_t core[3] = {0, 0, 0};
  std::vector<std::string_view> pre;  // pre-release identifiers; empty: a release
};

std::optional<version> parse(std::string_view s) {
  if (!s.empty() && (s.front() == 'v' || s.front() == 'V')) s.remove_prefix(1);
  if (auto plus = s.find('+'); plus != std::string_view::npos) {
    std::string_view build = s.substr(plus + 1);
    s = s.substr(0, plus);
    for (std::size_t start = 0;;) {  // build identifiers must be well formed, but do not count
      const auto dot = build.find('.', start);
      if (!identifier_chars(build.substr(start, dot - start))) return std::nullopt;
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
  }
  std::string_view pre;
  if (auto dash = s.find('-'); dash != std::string_view::npos) {
    pre = s.substr(dash + 1);
    s = s.substr(0, dash);
    if (pre.empty()) return std::nullopt;
  }
  version v;
  for (int i = 0; i < 3; ++i) {
    const auto dot = s.find('.');
    if ((i < 2) == (dot == std::string_view::npos)) return std::nullopt;  // exactly three parts
    if (!numeric(s.substr(0, dot), v.core[i])) return std::nullopt;
    s = dot == std::string_view::npos ? std::string_view{} : s.substr(dot + 1);
  }
  for (std::size_t start = 0; !pre.empty();) {
    const auto dot = pre.find('.', start);
    const std::string_view id = pre.substr(start, dot - start);
    std::uint64_t ignored = 0;
    if (!identifier_chars(id) || (all_digits(id) && !numeric(id, ignored))) return std::nullopt;
    v.pre.push_back(id);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return v;
}

std::strong_ordering compare_identifiers(std::string_view a, std::string_view b) {
  std::uint64_t x = 0, y = 0;
  const bool na = numeric(a, x), nb = numeric(b, y);
  if (na && nb) return x <=> y;
  if (na != nb) return na ? std::strong_ordering::less : std::strong_ordering::greater;
  return a.compare(b) <=> 0;
}

}  // namespace

std::optional<std::strong_ordering> compare_versions(std::string_view a, std::string_view b) noexcept try {
  const auto x = parse(a), y = parse(b);
  if (!x || !y) return std::nullopt;
  for (int i = 0; i < 3; ++i)
    if (x->core[i] != y->core[i]) return x->core[i] <=> y->core[i];
  if (x->pre.empty() || y->pre.empty()) {
    if (x->pre.empty() && y->pre.empty()) return std::strong_ordering::equal;
    return x->pre.empty() ? std::strong_ordering::greater : std::strong_ordering::less;
  }
  for (std::size_t i = 0; i < std::min(x->pre.size(), y->pre.size()); ++i)
    if (auto c = compare_identifiers(x->pre[i], y->pre[i]); std::is_neq(c)) return c;
  return x->pre.size() <=> y->pre.size();
} catch (...) {  // std::bad_alloc from the identifier list
  return std::nullopt;
}

bool is_newer_version(std::string_view candidate, std::string_view current) noexcept {
  const auto c = compare_versions(candidate, current);
  return c && *c == std::strong_ordering::greater;
}

}  // namespace flowtrack::cli
