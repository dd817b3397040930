#include <gtest/gtest.h>

#include <cstdio>
#include <set>
#include <thread>
#include <vector>

#include "wire/batch_body.hpp"
#include "wire/iso8601.hpp"
#include "wire/uuid.hpp"

namespace flowtrack::detail {
namespace {

using namespace std::chrono;

TEST(Uuid, FormatVersionVariantAndUniqueness) {
  std::set<std::string> seen;
  for (int i = 0; i < 100000; ++i) {
    auto id = make_uuid_v4();
    ASSERT_EQ(id.size(), 36u);
    ASSERT_EQ(id[8], '-');
    ASSERT_EQ(id[13], '-');
    ASSERT_EQ(id[18], '-');
    ASSERT_EQ(id[23], '-');
    ASSERT_EQ(id[14], '4');
    ASSERT_NE(std::string("89ab").find(id[19]), std::string::npos);
    for (char c : id) ASSERT_TRUE(c == '-' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    seen.insert(std::move(id));
  }
  EXPECT_EQ(seen.size(), 100000u);
}

TEST(Iso8601, FormatsKnownInstants) {
  EXPECT_EQ(to_iso8601(system_clock::time_point{}), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(to_iso8601(system_clock::time_point(milliseconds(951868799999))), "2000-02-29T23:59:59.999Z");
  EXPECT_EQ(to_iso8601(system_clock::time_point(seconds(4102444800))), "2100-01-01T00:00:00.000Z");
}

// The reference: C++20's calendar types, formatted with snprintf.
std::string reference_iso8601(system_clock::time_point t) {
  const auto ms = floor<milliseconds>(t);
  const auto day = floor<days>(ms);
  const year_month_day ymd{day};
  const hh_mm_ss hms{ms - day};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02lld.%03lldZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<long long>(hms.seconds().count()),
                static_cast<long long>(hms.subseconds().count()));
  return buf;
}

// Each thread keeps the last second it formatted: instants in the same second, the next one,
// backwards, across midnight and before 1970, one after another on the same thread.
TEST(Iso8601, TheSecondKeptFromTheLastCallNeverLeaksIntoAnother) {
  const std::int64_t base = 1764547199000;  // 2025-11-30T23:59:59.000Z
  const std::int64_t offsets[] = {0, 1, 999, 1000, 1001, 0, 86400000, 86400999, -1, 5, 999, 1000, -86400000};
  for (const std::int64_t at : {base, std::int64_t{0}}) {
    for (const std::int64_t off : offsets) {
      const auto t = system_clock::time_point(milliseconds(at + off));
      EXPECT_EQ(to_iso8601(t), reference_iso8601(t)) << at + off;
    }
  }
  for (std::int64_t ms = -2500; ms <= 2500; ms += 7) {  // every millisecond digit, both sides of 1970
    const auto t = system_clock::time_point(milliseconds(ms));
    EXPECT_EQ(to_iso8601(t), reference_iso8601(t)) << ms;
  }
}

TEST(Iso8601, ParsesOffsetsFractionsAndRejectsJunk) {
  const auto base = system_clock::time_point(milliseconds(951868799999));
  EXPECT_EQ(parse_iso8601("2000-02-29T23:59:59.999Z"), base);
  EXPECT_EQ(parse_iso8601("2000-03-01T00:59:59.999+01:00"), base);
  EXPECT_EQ(parse_iso8601("2000-02-29T22:59:59.999-0100"), base);
  EXPECT_EQ(parse_iso8601("2000-02-29T23:59:59.999000Z"), base);
  for (const char* junk : {"", "2000-02-30T00:00:00Z", "2001-02-29T00:00:00Z", "2000-13-01T00:00:00Z",
                           "2000-01-01T24:00:00Z", "2000-01-01T00:00:00", "2000-01-01T00:00:00.Z", "2000-01-01T00:00:00Zjunk",
                           "yesterday"})
    EXPECT_FALSE(parse_iso8601(junk)) << junk;
}

TEST(Iso8601, RoundTripsEveryDayOfFourYears) {
  for (int day = 0; day < 4 * 366; ++day) {
    const auto t = system_clock::time_point(milliseconds(int64_t{day} * 86400000 + 45296789 + 946684800000LL));
    EXPECT_EQ(parse_iso8601(to_iso8601(t)), t);
  }
}

TEST(BatchBody, SizeIsExactAndBodyIsValidJson) {
  const std::string context = make_batch_context({{"app", "demo"}}, "1.2.3");
  EXPECT_EQ(nlohmann::json::parse(context)["library"], (nlohmann::json{{"name", "flowtrack"}, {"version", "1.2.3"}}));
  batch_limiter limiter(3, 500000, batch_envelope_bytes(context));
  std::string body;
  begin_batch_body(body, context, 0);
  const std::string messages[] = {R"({"a":1})", R"({"b":22})", R"({"c":333})", R"({"d":4})"};
  bool first = true;
  for (const auto& m : messages) {
    if (!limiter.try_add(m.size())) break;
    append_to_batch_body(body, m, first);
    first = false;
  }
  finish_batch_body(body);
  EXPECT_EQ(limiter.count(), 3u);
  EXPECT_EQ(body.size(), limiter.bytes());
  stamp_sent_at(body, system_clock::time_point(milliseconds(1000)));
  auto parsed = nlohmann::json::parse(body);
  EXPECT_EQ(parsed["sentAt"], "1970-01-01T00:00:01.000Z");
  EXPECT_EQ(parsed["batch"].size(), 3u);
  EXPECT_EQ(parsed["context"]["app"], "demo");
}

TEST(BatchBody, LimiterStopsAtTheByteLimitExactly) {
  const std::size_t envelope = 100;
  batch_limiter limiter(2500, 1000, envelope);
  EXPECT_TRUE(limiter.try_add(450));   // 550
  EXPECT_TRUE(limiter.try_add(449));   // + comma = 1000
  EXPECT_FALSE(limiter.try_add(0));    // a comma would pass 1000
  EXPECT_EQ(limiter.bytes(), 1000u);
  batch_limiter counted(2500, 500000, envelope);
  int n = 0;
  while (counted.try_add(10)) ++n;
  EXPECT_EQ(n, 2500);
}

TEST(Uuid, UniqueAcrossThreads) {
  constexpr int threads = 4, per_thread = 25000;
  std::vector<std::vector<std::string>> ids(threads);
  std::vector<std::thread> workers;
  workers.reserve(threads);
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&ids, t] {
      ids[t].reserve(per_thread);
      for (int i = 0; i < per_thread; ++i) ids[t].push_back(make_uuid_v4());
    });
  for (auto& w : workers) w.join();
  std::set<std::string> seen;
  for (auto& v : ids) seen.insert(v.begin(), v.end());
  EXPECT_EQ(seen.size(), std::size_t{threads} * per_thread);
}

TEST(Uuid, WriteFillsExactly36Chars) {
  char buf[38];
  std::fill(std::begin(buf), std::end(buf), '#');
  write_uuid_v4(buf + 1);
  EXPECT_EQ(buf[0], '#');
  EXPECT_EQ(buf[37], '#');
  EXPECT_EQ(buf[1 + 14], '4');
}

TEST(Iso8601, LeapYearsEpochAndBeforeIt) {
  struct row {
    const char* text;
    std::int64_t ms;
  };
  const row rows[] = {
      {"1970-01-01T00:00:00.000Z", 0},
      {"1969-12-31T23:59:59.999Z", -1},
      {"1900-03-01T00:00:00.000Z", -2203891200000},
      {"2000-02-29T00:00:00.000Z", 951782400000},
      {"2000-03-01T00:00:00.000Z", 951868800000},
      {"2024-02-29T12:34:56.789Z", 1709210096789},
      {"2024-12-31T23:59:59.999Z", 1735689599999},
      {"2038-01-19T03:14:08.000Z", 2147483648000},
  };
  for (const auto& r : rows) {
    const auto t = system_clock::time_point(milliseconds(r.ms));
    EXPECT_EQ(to_iso8601(t), r.text);
    EXPECT_EQ(parse_iso8601(r.text), t) << r.text;
  }
  for (const char* invalid : {"1900-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "2023-02-29T00:00:00Z", "2024-04-31T00:00:00Z",
                              "2024-00-10T00:00:00Z", "2024-01-00T00:00:00Z"})
    EXPECT_FALSE(parse_iso8601(invalid)) << invalid;
}

TEST(Iso8601, FormatTruncatesSubMillisecondsTowardThePast) {
  EXPECT_EQ(to_iso8601(system_clock::time_point(microseconds(1999))), "1970-01-01T00:00:00.001Z");
  EXPECT_EQ(to_iso8601(system_clock::time_point(microseconds(-1))), "1969-12-31T23:59:59.999Z");
}

TEST(Iso8601, ParseVariants) {
  const auto t = system_clock::time_point(seconds(1732509749));  // 2024-11-25T04:42:29Z
  EXPECT_EQ(parse_iso8601("2024-11-25T04:42:29Z"), t);
  EXPECT_EQ(parse_iso8601("2024-11-25t04:42:29z"), t);
  EXPECT_EQ(parse_iso8601("2024-11-25T04:42:29.5Z"), t + 500ms);
  EXPECT_EQ(parse_iso8601("2024-11-25T04:42:29.123456789Z"), t + 123456789ns);
  EXPECT_EQ(parse_iso8601("2024-11-25T04:42:29.1234567891234Z"), t + 123456789ns);
  EXPECT_EQ(parse_iso8601("2024-11-25T10:12:29+05:30"), t);
  EXPECT_EQ(parse_iso8601("2024-11-24T23:42:29-05:00"), t);
  EXPECT_EQ(parse_iso8601("2024-11-25T04:42:29+00:00"), t);
  for (const char* junk : {"2024-11-25T04:42:29+5:00", "2024-11-25T04:42:29+05:60", "2024-11-25T04:42:29+24:00",
                           "2024-11-25T04:42Z", "2024-11-25", " 2024-11-25T04:42:29Z", "2024-11-25T04:42:29Z ",
                           "20241125T044229Z", "9999-12-31T23:59:59Z", "1600-01-01T00:00:00Z"})
    EXPECT_FALSE(parse_iso8601(junk)) << junk;  // the last two: outside what system_clock holds
}

TEST(Iso8601, RoundTripsRandomInstants) {
  std::uint64_t x = 12345;
  for (int i = 0; i < 100000; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    const auto ms = static_cast<std::int64_t>(x >> 22) % 7258118400000;  // 1970..2200
    const auto t = system_clock::time_point(milliseconds(ms));
    ASSERT_EQ(parse_iso8601(to_iso8601(t)), t) << to_iso8601(t);
  }
}

}  // namespace
}  // namespace flowtrack::detail
