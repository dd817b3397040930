// mock-segment --lean as a process: it counts exactly the events posted (plain, gzip, every
// endpoint), keeps none of them, and still refuses what the full mode refuses (write keys,
// invalid JSON, limits); faults, modes and reset still apply.
#include <gtest/gtest.h>

#include "http/gzip.hpp"
#include "mock_segment_test.hpp"

namespace flowtrack::test {
namespace {

using json = nlohmann::json;

const http::fields good_key = {{"Authorization", basic_auth("good")}, {"Content-Type", "application/json"}};

std::string batch_of(int n, int first = 0) {
  json batch = json::array();
  for (int i = first; i < first + n; ++i)
    batch.push_back({{"type", "track"}, {"userId", "u"}, {"event", "Lean, \"counted\" ]}"}, {"properties", {{"i", i}}}});
  return json{{"batch", batch}, {"sentAt", "2026-01-01T00:00:00.000Z"}}.dump();
}

json stats(const std::string& url) { return http_get(url, "/admin/stats").json(); }

TEST(MockLean, CountsExactlyTheEventsPostedAndKeepsNone) {
  REQUIRE_LOCAL_MOCK();
  auto p = start_mock({"--lean", "--write-key", "good"});
  std::uint64_t bytes = 0;
  auto post = [&](const std::string& path, const std::string& body, const http::fields& headers) {
    bytes += body.size();
    return http_post(p->url(), path, body, headers).response;
  };
  int expected = 0;
  for (int n : {1, 7, 250, 1500}) {
    const auto r = post("/v1/batch", batch_of(n, expected), good_key);
    EXPECT_EQ(r.status, 200) << n;
    EXPECT_EQ(r.body, R"({"success":true})");
    expected += n;
  }
  EXPECT_EQ(post("/v1/import", batch_of(3), good_key).status, 200);
  EXPECT_EQ(post("/v1/track", R"({"userId":"u","event":"One"})", good_key).status, 200);
  expected += 3 + 1;
  std::string packed;
  http::gzip_compress(batch_of(40), packed);
  http::fields zipped = good_key;
  zipped.push_back({"Content-Encoding", "gzip"});
  EXPECT_EQ(post("/v1/batch", packed, zipped).status, 200);
  expected += 40;
  // The writeKey of the body authenticates when there is no Authorization header.
  EXPECT_EQ(post("/v1/batch", R"({"writeKey":"good","batch":[{"type":"identify","userId":"u"}]})", {}).status, 200);
  expected += 1;
  // A batch element that is not an object is counted as rejected, as the full mode does.
  EXPECT_EQ(post("/v1/batch", R"({"batch":[{"type":"identify","userId":"u"},42]})", good_key).status, 200);
  expected += 1;

  const json s = stats(p->url());
  EXPECT_EQ(s["events_accepted"], expected);
  EXPECT_EQ(s["events_rejected"], 1);
  EXPECT_EQ(s["requests"], 9);
  EXPECT_EQ(s["body_bytes"], bytes);
  EXPECT_EQ(s["lean"], true);
  EXPECT_EQ(http_get(p->url(), "/admin/events").json(), json({{"events", json::array()}}));
  EXPECT_EQ(http_get(p->url(), "/admin/requests").json()["requests"], json::array());

  EXPECT_EQ(http_post(p->url(), "/admin/reset", "").response.status, 200);
  EXPECT_EQ(stats(p->url())["events_accepted"], 0);
  EXPECT_EQ(stats(p->url())["body_bytes"], 0);
}

TEST(MockLean, RefusesWhatTheFullModeRefusesAndCountsNothingForIt) {
  REQUIRE_LOCAL_MOCK();
  auto p = start_mock({"--lean", "--write-key", "good"});
  const std::string one = batch_of(1);
  EXPECT_EQ(http_post(p->url(), "/v1/batch", one, {{"Authorization", basic_auth("bad")}}).response.status, 401);
  EXPECT_EQ(http_post(p->url(), "/v1/batch", one, {}).response.status, 401);
  EXPECT_EQ(http_post(p->url(), "/v1/batch", R"({"writeKey":"bad","batch":[{}]})", {}).response.status, 401);
  // Without a usable key, even a malformed body is a 401 (the key is checked first).
  EXPECT_EQ(http_post(p->url(), "/v1/batch", R"({"writeKey":"good","batch":[{})", {}).response.status, 401);

  const auto invalid = http_post(p->url(), "/v1/batch", R"({"batch":[{"a":"]"},)", good_key).response;
  EXPECT_EQ(invalid.status, 400);
  EXPECT_EQ(invalid.body, "invalid JSON\n");
  EXPECT_EQ(http_post(p->url(), "/v1/batch", R"({"batch":{}})", good_key).response.body, "missing batch array\n");
  EXPECT_EQ(http_post(p->url(), "/v1/batch", batch_of(2501), good_key).response.body,
            "too many events in batch (limit 2500)\n");
  http::fields zipped = good_key;
  zipped.push_back({"Content-Encoding", "gzip"});
  EXPECT_EQ(http_post(p->url(), "/v1/batch", "not gzip", zipped).response.status, 400);
  EXPECT_EQ(http_get(p->url(), "/v1/batch").response.status, 405);

  const json s = stats(p->url());
  EXPECT_EQ(s["events_accepted"], 0);
  EXPECT_EQ(s["by_status"], json({{"400", 4}, {"401", 4}, {"405", 1}}));
}

TEST(MockLean, FaultsAndModesStillApply) {
  REQUIRE_LOCAL_MOCK();
  auto p = start_mock({"--lean"});
  const http::fields any_key = {{"Authorization", basic_auth("k")}};
  ASSERT_EQ(http_post(p->url(), "/admin/faults", R"([{"status":503},{"action":"close"}])").response.status, 200);
  EXPECT_EQ(http_post(p->url(), "/v1/batch", batch_of(5), any_key).response.status, 503);
  EXPECT_TRUE(http_post(p->url(), "/v1/batch", batch_of(5), any_key).eof_without_response);
  ASSERT_EQ(http_post(p->url(), "/admin/mode", R"({"mode":"error429"})").response.status, 200);
  const auto limited = http_post(p->url(), "/v1/batch", batch_of(5), any_key).response;
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.header("Retry-After"), "1");
  ASSERT_EQ(http_post(p->url(), "/admin/mode", R"({"mode":"ok"})").response.status, 200);
  EXPECT_EQ(http_post(p->url(), "/v1/batch", batch_of(5), any_key).response.status, 200);
  const json s = stats(p->url());
  EXPECT_EQ(s["events_accepted"], 5);  // faulted requests record nothing
  EXPECT_EQ(s["by_status"], json({{"0", 1}, {"200", 1}, {"429", 1}, {"503", 1}}));
}

}  // namespace
}  // namespace flowtrack::test
