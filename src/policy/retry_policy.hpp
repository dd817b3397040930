// Retry decisions, as pure functions of their inputs (time is always passed in).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>

#include "flowtrack/config.hpp"

namespace flowtrack::detail {

enum class status_class { success, retryable, permanent };

/// 2xx: success. 408, 410, 429, 460 and 5xx except 501, 505, 511: retryable. Everything else
/// (400, 401, 403, 413, other 4xx, 1xx, 3xx, 501, 505, 511): permanent.
status_class classify_status(int http_status) noexcept;

/// The delay before retry number `retry_number` (1 = first retry):
/// d = min(max_delay, base_delay * 2^(retry_number-1)), minus up to jitter*d at random
/// (`random_bits` / 2^64 of it).
std::chrono::milliseconds backoff_delay(const retry_config& c, int retry_number, std::uint64_t random_bits) noexcept;

/// A Retry-After header: delta-seconds, or an HTTP date (IMF-fixdate, RFC 850, asctime) taken
/// relative to `now`. Clamped to [0, clamp]; nullopt for anything else.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now,
                                                           std::chrono::milliseconds clamp);

/// Whether a batch may be sent again: within max_attempts, and (when total_budget > 0) when
/// the next attempt would still start inside the budget counted from the first attempt.
class retry_budget {
 public:
  retry_budget(const retry_config& c, std::chrono::steady_clock::time_point first_attempt) noexcept
      : config_(c), first_(first_attempt) {}
  bool may_retry(int attempts_made, std::chrono::steady_clock::time_point now,
                 std::chrono::milliseconds next_delay) const noexcept;

 private:
  retry_config config_;
  std::chrono::steady_clock::time_point first_;
};

}  // namespace flowtrack::detail
