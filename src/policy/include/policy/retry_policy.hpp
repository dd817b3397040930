// Retry decisions, as pure functions of their inputs: time and randomness are always passed
// in (no clock is read here), so every decision is unit-tested with tables.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>

#include "flowtrack/config.hpp"

namespace flowtrack::detail {

/// What an HTTP response means for the batch that drew it.
enum class status_class {
  success,    ///< delivered
  retryable,  ///< send the same batch again (after a backoff or Retry-After)
  permanent,  ///< it can never succeed: give up now
};

/// 2xx: success. 408, 410, 429, 460 and 5xx except 501, 505, 511: retryable. Everything else
/// (400, 401, 403, 413, other 4xx, 1xx, 3xx, 501, 505, 511, out of range): permanent.
status_class classify_status(int http_status) noexcept;

/// The delay before retry number `retry_number` (1 = first retry; smaller counts as 1):
/// d = min(max_delay, base_delay * 2^(retry_number-1)), computed without overflow for any
/// retry_number, then floor(d - jitter*d*u) with u = random_bits / 2^64 in [0, 1) (jitter
/// clamped to [0, 1], NaN as 0). The result is in [floor(d*(1-jitter)), d]; never negative.
std::chrono::milliseconds backoff_delay(const retry_config& c, int retry_number, std::uint64_t random_bits) noexcept;

/// A Retry-After header value: delta-seconds (digits only, surrounding spaces/tabs allowed, any
/// length without overflow), or an HTTP date (IMF-fixdate, RFC 850, asctime) taken relative to
/// `now`; a date in the past gives 0. The result is clamped to [0, clamp]. nullopt for anything
/// else (negative or fractional numbers, unknown formats, impossible dates).
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now,
                                                           std::chrono::milliseconds clamp);

/// The retry limits of one batch: at most max_attempts attempts, and (when total_budget > 0)
/// no attempt starting later than total_budget after the first one. Holds a copy of the config.
class retry_budget {
 public:
  retry_budget(const retry_config& c, std::chrono::steady_clock::time_point first_attempt) noexcept
      : config_(c), first_(first_attempt) {}

  /// Whether another attempt may follow `attempts_made` attempts, if it starts at now + next_delay:
  /// false when attempts_made >= max_attempts, or when total_budget > 0 and
  /// now + next_delay > first_attempt + total_budget. Overflow-safe for huge delays.
  bool may_retry(int attempts_made, std::chrono::steady_clock::time_point now,
                 std::chrono::milliseconds next_delay) const noexcept;

 private:
  retry_config config_;
  std::chrono::steady_clock::time_point first_;
};

}  // namespace flowtrack::detail
