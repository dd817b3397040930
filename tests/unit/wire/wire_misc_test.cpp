#include <gtest/gtest.h>

#include <set>

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

}  // namespace
}  // namespace flowtrack::detail
