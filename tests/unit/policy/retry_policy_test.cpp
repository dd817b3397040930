#include "policy/retry_policy.hpp"

#include <gtest/gtest.h>

#include <climits>
#include <random>

#include "flowtrack/error.hpp"

#include "wire/iso8601.hpp"

namespace flowtrack::detail {
namespace {

using namespace std::chrono;

TEST(ClassifyStatus, EveryStatusFrom100To599) {
  for (int s = 100; s < 600; ++s) {
    const bool retryable_4xx = s == 408 || s == 410 || s == 429 || s == 460;
    const bool retryable_5xx = s >= 500 && s != 501 && s != 505 && s != 511;
    status_class expected = status_class::permanent;
    if (s >= 200 && s < 300) expected = status_class::success;
    else if (retryable_4xx || retryable_5xx) expected = status_class::retryable;
    EXPECT_EQ(classify_status(s), expected) << s;
  }
  EXPECT_EQ(classify_status(400), status_class::permanent);
  EXPECT_EQ(classify_status(413), status_class::permanent);
  EXPECT_EQ(classify_status(503), status_class::retryable);
}

TEST(Backoff, DoublesUpToTheCapWithoutJitter) {
  retry_config c{.base_delay = 100ms, .max_delay = 1s, .jitter = 0.0};
  const milliseconds expected[] = {100ms, 200ms, 400ms, 800ms, 1s, 1s};
  for (int i = 0; i < 6; ++i) EXPECT_EQ(backoff_delay(c, i + 1, 12345), expected[i]);
  EXPECT_EQ(backoff_delay(c, 1000000, 0), 1s);  // no overflow for huge retry numbers
}

TEST(Backoff, JitterStaysInsideItsShare) {
  retry_config c{.base_delay = 1000ms, .max_delay = 10s, .jitter = 0.5};
  EXPECT_EQ(backoff_delay(c, 1, 0), 1000ms);
  EXPECT_GE(backoff_delay(c, 1, ~std::uint64_t{0}), 500ms);
  EXPECT_LT(backoff_delay(c, 1, ~std::uint64_t{0}), 501ms);
  c.jitter = 1.0;
  EXPECT_LE(backoff_delay(c, 1, ~std::uint64_t{0}), 1ms);
}

TEST(RetryAfter, Table) {
  const auto now = *parse_iso8601("1994-11-06T08:49:30Z");
  const milliseconds clamp = 300s;
  struct row {
    const char* value;
    std::optional<milliseconds> expected;
  };
  const row rows[] = {
      {"0", 0ms},
      {"7", 7s},
      {"  12 ", 12s},
      {"301", 300s},
      {"99999999999999999999999", 300s},
      {"Sun, 06 Nov 1994 08:49:37 GMT", 7s},
      {"Sunday, 06-Nov-94 08:49:37 GMT", 7s},
      {"Sun Nov  6 08:49:37 1994", 7s},
      {"Sun, 06 Nov 1994 08:00:00 GMT", 0ms},
      {"Sun, 06 Nov 2094 08:00:00 GMT", 300s},
      {"-5", std::nullopt},
      {"1.5", std::nullopt},
      {"soon", std::nullopt},
      {"", std::nullopt},
      {"Sun, 32 Nov 1994 08:49:37 GMT", std::nullopt},
      {"Sun, 06 Foo 1994 08:49:37 GMT", std::nullopt},
  };
  for (const auto& r : rows) EXPECT_EQ(parse_retry_after(r.value, now, clamp), r.expected) << r.value;
}

TEST(RetryBudget, AttemptsAndTotalTime) {
  const auto t0 = steady_clock::time_point{} + 1h;
  retry_budget budget(retry_config{.max_attempts = 3, .total_budget = 10s}, t0);
  EXPECT_TRUE(budget.may_retry(1, t0, 1s));
  EXPECT_TRUE(budget.may_retry(2, t0 + 8s, 2s));
  EXPECT_FALSE(budget.may_retry(3, t0, 1ms));        // attempts used up
  EXPECT_FALSE(budget.may_retry(1, t0 + 9s, 2s));    // the retry would start past the budget
  retry_budget unbounded(retry_config{.max_attempts = 100, .total_budget = 0s}, t0);
  EXPECT_TRUE(unbounded.may_retry(99, t0 + 1000h, 1h));
}

TEST(ClassifyStatus, OutOfRangeIsPermanent) {
  for (int s : {-1, 0, 99, 600, 999, INT_MIN, INT_MAX}) EXPECT_EQ(classify_status(s), status_class::permanent) << s;
  for (int s : {401, 403, 404, 409, 411, 422, 431, 451, 501, 505, 511, 100, 101, 301, 304})
    EXPECT_EQ(classify_status(s), status_class::permanent) << s;
  for (int s : {408, 410, 429, 460, 500, 502, 503, 504, 507, 508, 510, 599})
    EXPECT_EQ(classify_status(s), status_class::retryable) << s;
}

TEST(Backoff, GrowthCapAndEdgeInputs) {
  const retry_config c{.base_delay = 100ms, .max_delay = 10s, .jitter = 0.0};
  EXPECT_EQ(backoff_delay(c, 0, 0), 100ms);    // below 1 counts as the first retry
  EXPECT_EQ(backoff_delay(c, -5, 0), 100ms);
  EXPECT_EQ(backoff_delay(c, 7, 0), 6400ms);
  EXPECT_EQ(backoff_delay(c, 8, 0), 10s);
  EXPECT_EQ(backoff_delay(c, INT_MAX, 0), 10s);
  EXPECT_EQ(backoff_delay({.base_delay = 20s, .max_delay = 10s, .jitter = 0.0}, 1, 0), 10s);  // base above the cap
  EXPECT_EQ(backoff_delay({.base_delay = 0ms, .max_delay = 10s, .jitter = 0.0}, INT_MAX, 0), 0ms);
  EXPECT_EQ(backoff_delay({.base_delay = -5ms, .max_delay = 10s}, 3, 0), 0ms);
  const retry_config huge{.base_delay = 1ms, .max_delay = milliseconds::max(), .jitter = 0.0};
  EXPECT_EQ(backoff_delay(huge, 62, 0), milliseconds(std::int64_t{1} << 61));
  EXPECT_EQ(backoff_delay(huge, 64, 0), milliseconds::max());  // capped, never overflowing
  EXPECT_EQ(backoff_delay(huge, INT_MAX, 0), milliseconds::max());
}

TEST(Backoff, JitterBoundsOverRandomBits) {
  std::mt19937_64 rng(1);
  for (double jitter : {0.0, 0.25, 0.5, 1.0}) {
    const retry_config c{.base_delay = 100ms, .max_delay = 10s, .jitter = jitter};
    for (int retry = 1; retry <= 12; ++retry) {
      const auto d = backoff_delay({.base_delay = 100ms, .max_delay = 10s, .jitter = 0.0}, retry, 0);
      milliseconds lowest = d, highest = 0ms;
      for (int i = 0; i < 2000; ++i) {
        const auto r = backoff_delay(c, retry, rng());
        ASSERT_LE(r, d);
        ASSERT_GE(r.count(), static_cast<std::int64_t>(static_cast<double>(d.count()) * (1.0 - jitter)) - 1);
        lowest = std::min(lowest, r);
        highest = std::max(highest, r);
      }
      if (jitter > 0) EXPECT_LT(lowest.count(), d.count() * (1.0 - jitter / 2)) << "jitter actually spreads";
      EXPECT_GE(highest.count(), d.count() * (1.0 - jitter / 10) - 1);
    }
  }
  // Out-of-range jitter is clamped: negative or NaN -> none, above 1 -> full.
  EXPECT_EQ(backoff_delay({.base_delay = 1s, .jitter = -1.0}, 1, ~std::uint64_t{0}), 1s);
  EXPECT_EQ(backoff_delay({.base_delay = 1s, .jitter = std::nan("")}, 1, ~std::uint64_t{0}), 1s);
  EXPECT_EQ(backoff_delay({.base_delay = 1s, .jitter = 7.0}, 1, ~std::uint64_t{0}), 0ms);
  EXPECT_EQ(backoff_delay({.base_delay = 1s, .jitter = 1.0}, 1, std::uint64_t{1} << 63), 500ms);  // u = 0.5
}

TEST(RetryAfter, MoreRows) {
  const auto now = *parse_iso8601("1994-11-06T08:49:30.250Z");
  struct row {
    const char* value;
    milliseconds clamp;
    std::optional<milliseconds> expected;
  };
  const row rows[] = {
      {"\t5\t", 300s, 5s},
      {"007", 300s, 7s},
      {"300", 300s, 300s},
      {"120", 60s, 60s},
      {"5", 0ms, 0ms},
      {"5", -1s, 0ms},  // a negative clamp acts as 0
      {"18446744073709551616", 300s, 300s},
      {"+5", 300s, std::nullopt},
      {"5s", 300s, std::nullopt},
      {"1e3", 300s, std::nullopt},
      {"5 5", 300s, std::nullopt},
      {"   ", 300s, std::nullopt},
      {"Sun, 06 Nov 1994 08:49:37 GMT", 300s, 6750ms},  // relative to a now with milliseconds
      {"Sun, 06 Nov 1994 08:49:30 GMT", 300s, 0ms},     // just past
      {"Sun, 06 Nov 1994 08:49:37 GMT", 1s, 1s},
      {"Fri, 31 Dec 9999 23:59:59 GMT", 300s, 300s},    // far future: clamped, no overflow
      {"Thu, 01 Jan 1970 00:00:00 GMT", 300s, 0ms},
      {"Mon, 31 Feb 1994 08:49:37 GMT", 300s, std::nullopt},
      {"Tue, 29 Feb 2000 00:00:00 GMT", 300s, 300s},
      {"Mon, 28 Feb 1994 00:00:00 GMT", 300s, 0ms},
      {"Sun, 06 Nov 1994 25:49:37 GMT", 300s, std::nullopt},
      {"Sun, 06 Nov 1994 08:49:37 UTC", 300s, std::nullopt},
      {"Sun, 06 Nov 1994 08:49:37", 300s, std::nullopt},
      {"Sunday, 06-Nov-94 08:49:40 GMT", 300s, 9750ms},
      {"Sun Nov 06 08:49:40 1994", 300s, 9750ms},
      {"Sun Nov  6 08:49:40 1994 extra", 300s, std::nullopt},
  };
  for (const auto& r : rows) EXPECT_EQ(parse_retry_after(r.value, now, r.clamp), r.expected) << r.value;
}

TEST(RetryBudget, BoundariesAndHugeDelays) {
  const auto t0 = steady_clock::time_point{} + 1h;
  const retry_budget budget(retry_config{.max_attempts = 10, .total_budget = 10s}, t0);
  EXPECT_TRUE(budget.may_retry(1, t0 + 9s, 1s));            // starts exactly at the budget's end
  EXPECT_FALSE(budget.may_retry(1, t0 + 9s + 1ns, 1s));     // a nanosecond later
  EXPECT_FALSE(budget.may_retry(1, t0 + 9s, 1001ms));
  EXPECT_TRUE(budget.may_retry(9, t0, 0ms));
  EXPECT_FALSE(budget.may_retry(10, t0, 0ms));
  EXPECT_FALSE(budget.may_retry(1, t0, milliseconds::max()));  // no overflow
  EXPECT_TRUE(budget.may_retry(1, t0 - 1h, 10s));              // a clock before the first attempt
  const retry_budget once(retry_config{.max_attempts = 1}, t0);
  EXPECT_FALSE(once.may_retry(1, t0, 0ms));
  const retry_budget unbounded(retry_config{.max_attempts = 5, .total_budget = 0ms}, t0);
  EXPECT_TRUE(unbounded.may_retry(4, t0 + 10000h, milliseconds::max()));
}

}  // namespace
}  // namespace flowtrack::detail
