// mock-segment's inspection API, limits, update-check endpoint and shutdown.
#include <gtest/gtest.h>

#include "support/http_test_client.hpp"
#include "mock_segment_test.hpp"

namespace flowtrack::test {
namespace {

class MockAdmin : public MockSegmentTest {};

using json = nlohmann::json;
using namespace std::chrono_literals;

const http::fields auth = {{"Authorization", basic_auth("key")}, {"User-Agent", "flowtrack-test/1"},
                           {"X-Retry-Count", "2"}};

json track(const char* user, const char* event, const char* id) {
  return {{"type", "track"}, {"userId", user}, {"event", event}, {"messageId", id}};
}

TEST_F(MockAdmin, EventFiltersAndReadingNeverDrains) {
  json batch = {{"batch", {track("a", "Open", "1"), track("b", "Open", "2"), track("a", "Close", "3"),
                           json{{"type", "identify"}, {"userId", "a"}, {"messageId", "4"}}}}};
  ASSERT_EQ(http_post(url(), "/v1/batch", batch.dump(), auth).response.status, 200);
  EXPECT_EQ(http_get(url(), "/admin/events?type=track").json()["events"].size(), 3u);
  EXPECT_EQ(http_get(url(), "/admin/events?event=Open").json()["events"].size(), 2u);
  EXPECT_EQ(http_get(url(), "/admin/events?userId=a&type=track").json()["events"].size(), 2u);
  EXPECT_EQ(http_get(url(), "/admin/events?event=No%20Such").json()["events"].size(), 0u);
  EXPECT_EQ(http_get(url(), "/admin/events").json()["events"].size(), 4u);
  EXPECT_EQ(http_get(url(), "/admin/events").json()["events"].size(), 4u);
}

TEST_F(MockAdmin, RequestLogShowsHeadersButRedactsTheKey) {
  ASSERT_EQ(http_post(url(), "/v1/batch", json{{"batch", {track("a", "E", "1")}}}.dump(), auth).response.status, 200);
  auto log = http_get(url(), "/admin/requests").json()["requests"];
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0]["path"], "/v1/batch");
  EXPECT_EQ(log[0]["headers"]["User-Agent"], "flowtrack-test/1");
  EXPECT_EQ(log[0]["headers"]["X-Retry-Count"], "2");
  EXPECT_EQ(log[0]["headers"]["Authorization"], "<redacted>");
  EXPECT_EQ(log[0]["status"], 200);
  EXPECT_EQ(log[0]["gzip"], false);
  EXPECT_GT(log[0]["bodyBytes"].get<int>(), 0);
  EXPECT_EQ(http_get(url(), "/admin/requests").response.body.find(basic_auth("key")), std::string::npos);
}

TEST_F(MockAdmin, StatsCountDuplicatesAndResetClears) {
  json batch = {{"batch", {track("a", "E", "same"), track("a", "E", "same"), track("a", "E", "other")}}};
  ASSERT_EQ(http_post(url(), "/v1/batch", batch.dump(), auth).response.status, 200);
  auto stats = http_get(url(), "/admin/stats").json();
  EXPECT_EQ(stats["events_accepted"], 3);
  EXPECT_EQ(stats["duplicates"], 1);
  EXPECT_EQ(stats["unique_message_ids"], 2);
  EXPECT_EQ(stats["by_status"]["200"], 1);
  ASSERT_EQ(http_post(url(), "/admin/reset", "").response.status, 200);
  stats = http_get(url(), "/admin/stats").json();
  EXPECT_EQ(stats["events_accepted"], 0);
  EXPECT_EQ(stats["requests"], 0);
  EXPECT_TRUE(http_get(url(), "/admin/events").json()["events"].empty());
}

TEST_F(MockAdmin, EventCapEvictsOldestAndCountsThem) {
  REQUIRE_LOCAL_MOCK();
  auto capped = start_mock({"--max-events", "5"});
  json batch = {{"batch", json::array()}};
  for (int i = 0; i < 8; ++i) batch["batch"].push_back(track("a", "E", std::to_string(i).c_str()));
  ASSERT_EQ(http_post(capped->url(), "/v1/batch", batch.dump(), auth).response.status, 200);
  auto kept = http_get(capped->url(), "/admin/events").json()["events"];
  ASSERT_EQ(kept.size(), 5u);
  EXPECT_EQ(kept[0]["messageId"], "3");
  EXPECT_EQ(http_get(capped->url(), "/admin/stats").json()["evicted"], 3);
}

TEST_F(MockAdmin, LatestVersionAnswerAndDelayAreSettable) {
  EXPECT_EQ(http_get(url(), "/cli/latest-version").json()["version"], "0.0.0");
  ASSERT_EQ(http_post(url(), "/admin/latest-version", R"({"version":"9.9.9","delay_ms":250})").response.status, 200);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(http_get(url(), "/cli/latest-version").json()["version"], "9.9.9");
  EXPECT_GE(std::chrono::steady_clock::now() - start, 250ms);
  EXPECT_EQ(http_post(url(), "/admin/latest-version", R"({"delay_ms":-1})").response.status, 400);
  http_post(url(), "/admin/latest-version", R"({"version":"0.0.0","delay_ms":0})");
}

TEST_F(MockAdmin, UnknownPathsAndOversizedRequests) {
  EXPECT_EQ(http_get(url(), "/v2/nothing").response.status, 404);
  EXPECT_EQ(http_get(url(), "/admin/nothing").response.status, 404);
  EXPECT_EQ(http_get(url(), "/v1/batch").response.status, 405);
  auto huge = http_post(url(), "/v1/batch", std::string(2 << 20, 'x'), auth);
  EXPECT_EQ(huge.response.status, 413);
  http::fields long_header = auth;
  long_header.push_back({"X-Long", std::string(20000, 'a')});
  EXPECT_EQ(http_post(url(), "/v1/batch", "{}", long_header).response.status, 431);
}

TEST_F(MockAdmin, LivePageIsServed) {
  auto page = http_get(url(), "/");
  EXPECT_EQ(page.response.status, 200);
  EXPECT_EQ(page.response.header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(page.response.body.find("/admin/summary?"), std::string::npos);  // its only data source
  EXPECT_EQ(page.response.body.find("/admin/events"), std::string::npos);
}


TEST_F(MockAdmin, RequestLogRecordsEveryIngestRequestAndItsOutcome) {
  ASSERT_EQ(http_post(url(), "/admin/faults", R"({"status":503})").response.status, 200);
  EXPECT_EQ(http_post(url(), "/v1/batch", json{{"batch", {track("a", "E", "1")}}}.dump(), auth).response.status, 503);
  EXPECT_EQ(http_post(url(), "/v1/batch", json{{"batch", {track("a", "E", "1")}}}.dump()).response.status, 401);
  EXPECT_EQ(http_post(url(), "/v1/batch", "{oops", auth).response.status, 400);
  EXPECT_EQ(http_post(url(), "/v1/batch",
                      json{{"batch", {track("a", "E", "2"), json{{"type", "track"}, {"userId", "a"}}}}}.dump(), auth)
                .response.status,
            200);
  auto log = http_get(url(), "/admin/requests").json()["requests"];
  ASSERT_EQ(log.size(), 4u);  // admin calls are not logged
  EXPECT_EQ(log[0]["fault"], json({{"status", 503}}));
  EXPECT_EQ(log[0]["status"], 503);
  EXPECT_EQ(log[1]["status"], 401);
  EXPECT_EQ(log[2]["status"], 400);
  EXPECT_EQ(log[3]["status"], 200);
  EXPECT_EQ(log[3]["accepted"], 1);
  EXPECT_EQ(log[3]["rejected"], 1);
  EXPECT_EQ(log[3]["method"], "POST");
  for (std::size_t i = 1; i < log.size(); ++i) EXPECT_GT(log[i]["id"].get<int>(), log[i - 1]["id"].get<int>());
  auto stats = http_get(url(), "/admin/stats").json();
  EXPECT_EQ(stats["requests"], 4);
  EXPECT_EQ(stats["by_status"], json({{"200", 1}, {"400", 1}, {"401", 1}, {"503", 1}}));
  EXPECT_EQ(stats["events_accepted"], 1);
  EXPECT_EQ(stats["events_rejected"], 1);
  auto rejected = http_get(url(), "/admin/rejected").json()["rejected"];
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0]["requestId"], log[3]["id"]);
}

TEST_F(MockAdmin, ResetKeepsTheFaultQueueAndWrongMethodsAre405Or404) {
  ASSERT_EQ(http_post(url(), "/admin/faults", R"({"status":503})").response.status, 200);
  ASSERT_EQ(http_post(url(), "/admin/reset", "").response.status, 200);
  EXPECT_EQ(http_get(url(), "/admin/faults").json()["faults"].size(), 1u);  // DELETE /admin/faults clears it
  EXPECT_EQ(http_call(url(), "PUT", "/admin/faults", "").response.status, 405);
  EXPECT_EQ(http_post(url(), "/", "").response.status, 405);
  EXPECT_EQ(http_post(url(), "/admin/events", "").response.status, 404);
  EXPECT_EQ(http_get(url(), "/admin/reset").response.status, 404);
}

TEST_F(MockAdmin, LivePageIsSelfContainedAndEscapesValues) {
  const std::string page = http_get(url(), "/").response.body;
  for (const char* view : {"invocations", "funnels", "commands", "events", "rejected"})
    EXPECT_NE(page.find(std::string("<section id=\"view-") + view + "\""), std::string::npos) << view;
  for (const char* column : {"event", "command", "seq", "flow · step", "direction", "outcome", "exit", "duration_ms",
                             "error_class", "user", "invocation", "p50", "p95", "time (UTC)"})
    EXPECT_NE(page.find(std::string("\"") + column + "\""), std::string::npos) << column;
  EXPECT_NE(page.find("missing — this event never arrived"), std::string::npos);
  EXPECT_NE(page.find("createTextNode"), std::string::npos);
  EXPECT_EQ(page.find("innerHTML"), std::string::npos);
  EXPECT_EQ(page.find("src=\"http"), std::string::npos);  // no external assets
  EXPECT_EQ(page.find("href=\"http"), std::string::npos);
  EXPECT_NE(page.find("setInterval(refresh, 1000)"), std::string::npos);
}

}  // namespace
}  // namespace flowtrack::test
