// mock-segment's inspection API, limits, update-check endpoint and shutdown.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include "support/http_test_client.hpp"
#include "support/mock_process.hpp"

namespace flowtrack::test {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

const http::fields auth = {{"Authorization", basic_auth("key")}, {"User-Agent", "flowtrack-test/1"},
                           {"X-Retry-Count", "2"}};

json track(const char* user, const char* event, const char* id) {
  return {{"type", "track"}, {"userId", user}, {"event", event}, {"messageId", id}};
}

TEST(MockAdmin, EventFiltersAndReadingNeverDrains) {
  test_endpoint ep;
  json batch = {{"batch", {track("a", "Open", "1"), track("b", "Open", "2"), track("a", "Close", "3"),
                           json{{"type", "identify"}, {"userId", "a"}, {"messageId", "4"}}}}};
  ASSERT_EQ(http_post(ep.url(), "/v1/batch", batch.dump(), auth).response.status, 200);
  EXPECT_EQ(http_get(ep.url(), "/admin/events?type=track").json()["events"].size(), 3u);
  EXPECT_EQ(http_get(ep.url(), "/admin/events?event=Open").json()["events"].size(), 2u);
  EXPECT_EQ(http_get(ep.url(), "/admin/events?userId=a&type=track").json()["events"].size(), 2u);
  EXPECT_EQ(http_get(ep.url(), "/admin/events?event=No%20Such").json()["events"].size(), 0u);
  EXPECT_EQ(http_get(ep.url(), "/admin/events").json()["events"].size(), 4u);
  EXPECT_EQ(http_get(ep.url(), "/admin/events").json()["events"].size(), 4u);
}

TEST(MockAdmin, RequestLogShowsHeadersButRedactsTheKey) {
  test_endpoint ep;
  ASSERT_EQ(http_post(ep.url(), "/v1/batch", json{{"batch", {track("a", "E", "1")}}}.dump(), auth).response.status, 200);
  auto log = http_get(ep.url(), "/admin/requests").json()["requests"];
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0]["path"], "/v1/batch");
  EXPECT_EQ(log[0]["headers"]["User-Agent"], "flowtrack-test/1");
  EXPECT_EQ(log[0]["headers"]["X-Retry-Count"], "2");
  EXPECT_EQ(log[0]["headers"]["Authorization"], "<redacted>");
  EXPECT_EQ(log[0]["status"], 200);
  EXPECT_EQ(log[0]["gzip"], false);
  EXPECT_GT(log[0]["bodyBytes"].get<int>(), 0);
  EXPECT_EQ(http_get(ep.url(), "/admin/requests").response.body.find(basic_auth("key")), std::string::npos);
}

TEST(MockAdmin, StatsCountDuplicatesAndResetClears) {
  test_endpoint ep;
  json batch = {{"batch", {track("a", "E", "same"), track("a", "E", "same"), track("a", "E", "other")}}};
  ASSERT_EQ(http_post(ep.url(), "/v1/batch", batch.dump(), auth).response.status, 200);
  auto stats = http_get(ep.url(), "/admin/stats").json();
  EXPECT_EQ(stats["events_accepted"], 3);
  EXPECT_EQ(stats["duplicates"], 1);
  EXPECT_EQ(stats["unique_message_ids"], 2);
  EXPECT_EQ(stats["by_status"]["200"], 1);
  ASSERT_EQ(http_post(ep.url(), "/admin/reset", "").response.status, 200);
  stats = http_get(ep.url(), "/admin/stats").json();
  EXPECT_EQ(stats["events_accepted"], 0);
  EXPECT_EQ(stats["requests"], 0);
  EXPECT_TRUE(http_get(ep.url(), "/admin/events").json()["events"].empty());
}

TEST(MockAdmin, EventCapEvictsOldestAndCountsThem) {
  mock_process capped({"--max-events", "5"});
  json batch = {{"batch", json::array()}};
  for (int i = 0; i < 8; ++i) batch["batch"].push_back(track("a", "E", std::to_string(i).c_str()));
  ASSERT_EQ(http_post(capped.url(), "/v1/batch", batch.dump(), auth).response.status, 200);
  auto kept = http_get(capped.url(), "/admin/events").json()["events"];
  ASSERT_EQ(kept.size(), 5u);
  EXPECT_EQ(kept[0]["messageId"], "3");
  EXPECT_EQ(http_get(capped.url(), "/admin/stats").json()["evicted"], 3);
}

TEST(MockAdmin, LatestVersionAnswerAndDelayAreSettable) {
  test_endpoint ep;
  EXPECT_EQ(http_get(ep.url(), "/cli/latest-version").json()["version"], "0.0.0");
  ASSERT_EQ(http_post(ep.url(), "/admin/latest-version", R"({"version":"9.9.9","delay_ms":250})").response.status, 200);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(http_get(ep.url(), "/cli/latest-version").json()["version"], "9.9.9");
  EXPECT_GE(std::chrono::steady_clock::now() - start, 250ms);
  EXPECT_EQ(http_post(ep.url(), "/admin/latest-version", R"({"delay_ms":-1})").response.status, 400);
  http_post(ep.url(), "/admin/latest-version", R"({"version":"0.0.0","delay_ms":0})");
}

TEST(MockAdmin, UnknownPathsAndOversizedRequests) {
  test_endpoint ep;
  EXPECT_EQ(http_get(ep.url(), "/v2/nothing").response.status, 404);
  EXPECT_EQ(http_get(ep.url(), "/admin/nothing").response.status, 404);
  EXPECT_EQ(http_get(ep.url(), "/v1/batch").response.status, 405);
  auto huge = http_post(ep.url(), "/v1/batch", std::string(2 << 20, 'x'), auth);
  EXPECT_EQ(huge.response.status, 413);
  http::fields long_header = auth;
  long_header.push_back({"X-Long", std::string(20000, 'a')});
  EXPECT_EQ(http_post(ep.url(), "/v1/batch", "{}", long_header).response.status, 431);
}

TEST(MockAdmin, LivePageIsServed) {
  test_endpoint ep;
  auto page = http_get(ep.url(), "/");
  EXPECT_EQ(page.response.status, 200);
  EXPECT_EQ(page.response.header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(page.response.body.find("/admin/events"), std::string::npos);
}

TEST(MockAdmin, SigtermShutsDownCleanly) {
  mock_process p;
  ASSERT_EQ(http_get(p.url(), "/admin/stats").response.status, 200);
  const int status = p.terminate();
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace flowtrack::test
