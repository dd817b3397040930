#include "policy/retry_policy.hpp"

#include <gtest/gtest.h>

#include "wire/iso8601.hpp"

namespace flowtrack::detail {
namespace {

using namespace std::chrono;

TEST(ClassifyStatus, EveryStatusFrom100To599) {
  for (int s = 100; s < 600; ++s) {
    status_class expected = status_class::permanent;
    if (s >= 200 && s < 300) expected = status_class::success;
    else if (s == 408 || s == 410 || s == 429 || s == 460) expected = status_class::retryable;
    else if (s >= 500 && s != 501 && s != 505 && s != 511) expected = status_class::retryable;
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

}  // namespace
}  // namespace flowtrack::detail
