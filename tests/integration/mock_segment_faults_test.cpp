// mock-segment's scripted faults and modes, as a client sees them on the wire.
#include <gtest/gtest.h>

#include <asio/error.hpp>

#include <thread>

#include "support/http_test_client.hpp"
#include "mock_segment_test.hpp"

namespace flowtrack::test {
namespace {

class MockFaults : public MockSegmentTest {};

using json = nlohmann::json;
using namespace std::chrono_literals;

const http::fields auth = {{"Authorization", basic_auth("key")}};
const std::string one_event = json{{"batch", {{{"type", "identify"}, {"userId", "u"}}}}}.dump();

void script(const std::string& base, const json& faults) {
  auto r = http_post(base, "/admin/faults", faults.dump());
  ASSERT_EQ(r.response.status, 200) << r.response.body;
}

std::size_t stored(const std::string& base) { return http_get(base, "/admin/events").json()["events"].size(); }

TEST_F(MockFaults, StatusFaultsAreConsumedInOrderThenNormalService) {
  script(url(), json::array({{{"status", 503}}, {{"status", 429}, {"retry_after", 2}}}));
  auto first = http_post(url(), "/v1/batch", one_event, auth);
  EXPECT_EQ(first.response.status, 503);
  auto second = http_post(url(), "/v1/batch", one_event, auth);
  EXPECT_EQ(second.response.status, 429);
  EXPECT_EQ(second.response.header("Retry-After"), "2");
  EXPECT_EQ(stored(url()), 0u);  // faulted requests record nothing
  EXPECT_EQ(http_post(url(), "/v1/batch", one_event, auth).response.status, 200);
  EXPECT_EQ(stored(url()), 1u);
  auto log = http_get(url(), "/admin/requests").json()["requests"];
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0]["fault"]["status"], 503);
  EXPECT_EQ(log[1]["status"], 429);
}

TEST_F(MockFaults, DelayHoldsTheResponse) {
  script(url(), {{"delay_ms", 300}});
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(http_post(url(), "/v1/batch", one_event, auth).response.status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 300ms);
  EXPECT_EQ(stored(url()), 1u);  // a delay alone still answers normally
}

TEST_F(MockFaults, CloseDropsTheConnectionWithoutAnswer) {
  script(url(), {{"action", "close"}});
  auto r = http_post(url(), "/v1/batch", one_event, auth);
  EXPECT_TRUE(r.eof_without_response) << r.error.message();
  EXPECT_EQ(stored(url()), 0u);
}

TEST_F(MockFaults, BlackholeNeverAnswers) {
  script(url(), {{"action", "blackhole"}});
  auto r = http_call(url(), "POST", "/v1/batch", one_event, auth, 300ms);
  EXPECT_EQ(r.error, std::errc::timed_out);
}

TEST_F(MockFaults, ResetSendsRst) {
  script(url(), {{"action", "reset"}});
  auto r = http_post(url(), "/v1/batch", one_event, auth);
  EXPECT_EQ(r.error, asio::error::connection_reset) << r.error.message();
}

TEST_F(MockFaults, GarbageIsNotHttp) {
  script(url(), {{"action", "garbage"}});
  auto r = http_post(url(), "/v1/batch", one_event, auth);
  EXPECT_EQ(r.error, http::parse_error::malformed) << r.error.message();
}

TEST_F(MockFaults, ModesApplyWhenNoFaultIsScripted) {
  ASSERT_EQ(http_post(url(), "/admin/mode", R"({"mode":"error500"})").response.status, 200);
  EXPECT_EQ(http_post(url(), "/v1/batch", one_event, auth).response.status, 500);
  ASSERT_EQ(http_post(url(), "/admin/mode", R"({"mode":"error429"})").response.status, 200);
  auto limited = http_post(url(), "/v1/batch", one_event, auth);
  EXPECT_EQ(limited.response.status, 429);
  EXPECT_EQ(limited.response.header("Retry-After"), "1");
  ASSERT_EQ(http_post(url(), "/admin/mode", R"({"mode":"blackhole"})").response.status, 200);
  EXPECT_EQ(http_call(url(), "POST", "/v1/batch", one_event, auth, 200ms).error, std::errc::timed_out);
  EXPECT_EQ(http_get(url(), "/admin/stats").response.status, 200);  // admin is never faulted
  ASSERT_EQ(http_post(url(), "/admin/mode", R"({"mode":"ok"})").response.status, 200);
  EXPECT_EQ(http_post(url(), "/v1/batch", one_event, auth).response.status, 200);
  EXPECT_EQ(http_post(url(), "/admin/mode", R"({"mode":"sideways"})").response.status, 400);
}

TEST_F(MockFaults, StartupModeFlag) {
  REQUIRE_LOCAL_MOCK();
  auto failing = start_mock({"--mode", "error500"});
  EXPECT_EQ(http_post(failing->url(), "/v1/batch", one_event, auth).response.status, 500);
}

TEST_F(MockFaults, FaultQueueCanBeListedClearedAndRefusesNonsense) {
  script(url(), json::array({{{"status", 503}}, {{"action", "close"}}}));
  EXPECT_EQ(http_get(url(), "/admin/faults").json()["faults"].size(), 2u);
  EXPECT_EQ(http_call(url(), "DELETE", "/admin/faults", "").response.status, 200);
  EXPECT_TRUE(http_get(url(), "/admin/faults").json()["faults"].empty());
  EXPECT_EQ(http_post(url(), "/admin/faults", R"({"action":"explode"})").response.status, 400);
  EXPECT_EQ(http_post(url(), "/admin/faults", R"({"status":99})").response.status, 400);
  EXPECT_EQ(http_post(url(), "/admin/faults", R"({})").response.status, 400);
  EXPECT_EQ(http_post(url(), "/admin/faults", "nope").response.status, 400);
  EXPECT_TRUE(http_get(url(), "/admin/faults").json()["faults"].empty());
}


TEST_F(MockFaults, DelayCombinedWithStatus) {
  script(url(), {{"delay_ms", 250}, {"status", 503}});
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(http_post(url(), "/v1/batch", one_event, auth).response.status, 503);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 250ms);
  EXPECT_EQ(stored(url()), 0u);
}

TEST_F(MockFaults, ActionsAreLoggedButRecordNothing) {
  script(url(), json::array({{{"action", "close"}}, {{"action", "reset"}}, {{"action", "garbage"}},
                             {{"action", "truncate"}}}));
  EXPECT_TRUE(http_post(url(), "/v1/batch", one_event, auth).eof_without_response);
  EXPECT_TRUE(http_post(url(), "/v1/batch", one_event, auth).error);
  EXPECT_TRUE(http_post(url(), "/v1/batch", one_event, auth).error);
  auto truncated = http_post(url(), "/v1/batch", one_event, auth);
  EXPECT_TRUE(truncated.error) << "a response cut mid-body must not parse";
  EXPECT_EQ(http_post(url(), "/v1/batch", one_event, auth).response.status, 200);  // queue drained
  auto log = http_get(url(), "/admin/requests").json()["requests"];
  ASSERT_EQ(log.size(), 5u);
  const char* actions[] = {"close", "reset", "garbage", "truncate"};
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(log[i]["fault"]["action"], actions[i]);
    EXPECT_EQ(log[i]["status"], 0);  // no answer was sent
    EXPECT_EQ(log[i]["accepted"], 0);
  }
  EXPECT_FALSE(log[4].contains("fault"));
  auto stats = http_get(url(), "/admin/stats").json();
  EXPECT_EQ(stats["events_accepted"], 1);
  EXPECT_EQ(stats["requests"], 5);
  EXPECT_EQ(stats["by_status"]["0"], 4);
}

TEST_F(MockFaults, BlackholeHoldsOnlyItsConnection) {
  script(url(), {{"action", "blackhole"}});
  std::thread held([&] { EXPECT_EQ(http_call(url(), "POST", "/v1/batch", one_event, auth, 1500ms).error, std::errc::timed_out); });
  // While one connection is black-holed, others are served (single thread, one coroutine each).
  // The scripted fault is taken by whichever ingest request arrives first, so wait for it.
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!http_get(url(), "/admin/faults").json()["faults"].empty() && std::chrono::steady_clock::now() < deadline) {
  }  // polls the server's state (each poll is a round trip), no sleep
  EXPECT_TRUE(http_get(url(), "/admin/faults").json()["faults"].empty());
  EXPECT_EQ(http_post(url(), "/v1/batch", one_event, auth).response.status, 200);
  held.join();
  EXPECT_EQ(stored(url()), 1u);
}

TEST_F(MockFaults, FaultsNeverApplyToAdminOrTheUpdateCheck) {
  script(url(), json::array({{{"status", 503}}, {{"action", "close"}}}));
  EXPECT_EQ(http_get(url(), "/admin/stats").response.status, 200);
  EXPECT_EQ(http_get(url(), "/admin/events").response.status, 200);
  EXPECT_EQ(http_get(url(), "/cli/latest-version").response.status, 200);
  EXPECT_EQ(http_get(url(), "/").response.status, 200);
  auto queued = http_get(url(), "/admin/faults").json();
  ASSERT_EQ(queued["faults"].size(), 2u);
  EXPECT_EQ(queued["faults"][0], json({{"status", 503}}));
  EXPECT_EQ(queued["faults"][1], json({{"action", "close"}}));
  ASSERT_EQ(http_post(url(), "/admin/mode", R"({"mode":"error500"})").response.status, 200);
  EXPECT_EQ(http_get(url(), "/admin/stats").json()["mode"], "error500");
}

TEST_F(MockFaults, StartupModeError429AndBlackhole) {
  REQUIRE_LOCAL_MOCK();
  auto limited = start_mock({"--mode", "error429"});
  auto r = http_post(limited->url(), "/v1/batch", one_event, auth);
  EXPECT_EQ(r.response.status, 429);
  EXPECT_EQ(r.response.header("Retry-After"), "1");
  auto hole = start_mock({"--mode", "blackhole"});
  EXPECT_EQ(http_call(hole->url(), "POST", "/v1/batch", one_event, auth, 300ms).error, std::errc::timed_out);
  EXPECT_EQ(http_get(hole->url(), "/admin/requests").json()["requests"].size(), 1u);
}

}  // namespace
}  // namespace flowtrack::test
