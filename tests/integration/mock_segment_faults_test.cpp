// mock-segment's scripted faults and modes, as a client sees them on the wire.
#include <gtest/gtest.h>

#include <asio/error.hpp>

#include "support/http_test_client.hpp"
#include "support/mock_process.hpp"

namespace flowtrack::test {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

const http::fields auth = {{"Authorization", basic_auth("key")}};
const std::string one_event = json{{"batch", {{{"type", "identify"}, {"userId", "u"}}}}}.dump();

void script(const test_endpoint& ep, const json& faults) {
  auto r = http_post(ep.url(), "/admin/faults", faults.dump());
  ASSERT_EQ(r.response.status, 200) << r.response.body;
}

std::size_t stored(const test_endpoint& ep) { return http_get(ep.url(), "/admin/events").json()["events"].size(); }

TEST(MockFaults, StatusFaultsAreConsumedInOrderThenNormalService) {
  test_endpoint ep;
  script(ep, json::array({{{"status", 503}}, {{"status", 429}, {"retry_after", 2}}}));
  auto first = http_post(ep.url(), "/v1/batch", one_event, auth);
  EXPECT_EQ(first.response.status, 503);
  auto second = http_post(ep.url(), "/v1/batch", one_event, auth);
  EXPECT_EQ(second.response.status, 429);
  EXPECT_EQ(second.response.header("Retry-After"), "2");
  EXPECT_EQ(stored(ep), 0u);  // faulted requests record nothing
  EXPECT_EQ(http_post(ep.url(), "/v1/batch", one_event, auth).response.status, 200);
  EXPECT_EQ(stored(ep), 1u);
  auto log = http_get(ep.url(), "/admin/requests").json()["requests"];
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0]["fault"]["status"], 503);
  EXPECT_EQ(log[1]["status"], 429);
}

TEST(MockFaults, DelayHoldsTheResponse) {
  test_endpoint ep;
  script(ep, {{"delay_ms", 300}});
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(http_post(ep.url(), "/v1/batch", one_event, auth).response.status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 300ms);
  EXPECT_EQ(stored(ep), 1u);  // a delay alone still answers normally
}

TEST(MockFaults, CloseDropsTheConnectionWithoutAnswer) {
  test_endpoint ep;
  script(ep, {{"action", "close"}});
  auto r = http_post(ep.url(), "/v1/batch", one_event, auth);
  EXPECT_TRUE(r.eof_without_response) << r.error.message();
  EXPECT_EQ(stored(ep), 0u);
}

TEST(MockFaults, BlackholeNeverAnswers) {
  test_endpoint ep;
  script(ep, {{"action", "blackhole"}});
  auto r = http_call(ep.url(), "POST", "/v1/batch", one_event, auth, 300ms);
  EXPECT_EQ(r.error, std::errc::timed_out);
}

TEST(MockFaults, ResetSendsRst) {
  test_endpoint ep;
  script(ep, {{"action", "reset"}});
  auto r = http_post(ep.url(), "/v1/batch", one_event, auth);
  EXPECT_EQ(r.error, asio::error::connection_reset) << r.error.message();
}

TEST(MockFaults, GarbageIsNotHttp) {
  test_endpoint ep;
  script(ep, {{"action", "garbage"}});
  auto r = http_post(ep.url(), "/v1/batch", one_event, auth);
  EXPECT_EQ(r.error, http::parse_error::malformed) << r.error.message();
}

TEST(MockFaults, ModesApplyWhenNoFaultIsScripted) {
  test_endpoint ep;
  ASSERT_EQ(http_post(ep.url(), "/admin/mode", R"({"mode":"error500"})").response.status, 200);
  EXPECT_EQ(http_post(ep.url(), "/v1/batch", one_event, auth).response.status, 500);
  ASSERT_EQ(http_post(ep.url(), "/admin/mode", R"({"mode":"error429"})").response.status, 200);
  auto limited = http_post(ep.url(), "/v1/batch", one_event, auth);
  EXPECT_EQ(limited.response.status, 429);
  EXPECT_EQ(limited.response.header("Retry-After"), "1");
  ASSERT_EQ(http_post(ep.url(), "/admin/mode", R"({"mode":"blackhole"})").response.status, 200);
  EXPECT_EQ(http_call(ep.url(), "POST", "/v1/batch", one_event, auth, 200ms).error, std::errc::timed_out);
  EXPECT_EQ(http_get(ep.url(), "/admin/stats").response.status, 200);  // admin is never faulted
  ASSERT_EQ(http_post(ep.url(), "/admin/mode", R"({"mode":"ok"})").response.status, 200);
  EXPECT_EQ(http_post(ep.url(), "/v1/batch", one_event, auth).response.status, 200);
  EXPECT_EQ(http_post(ep.url(), "/admin/mode", R"({"mode":"sideways"})").response.status, 400);
}

TEST(MockFaults, StartupModeFlag) {
  mock_process failing({"--mode", "error500"});
  EXPECT_EQ(http_post(failing.url(), "/v1/batch", one_event, auth).response.status, 500);
}

TEST(MockFaults, FaultQueueCanBeListedClearedAndRefusesNonsense) {
  test_endpoint ep;
  script(ep, json::array({{{"status", 503}}, {{"action", "close"}}}));
  EXPECT_EQ(http_get(ep.url(), "/admin/faults").json()["faults"].size(), 2u);
  EXPECT_EQ(http_call(ep.url(), "DELETE", "/admin/faults", "").response.status, 200);
  EXPECT_TRUE(http_get(ep.url(), "/admin/faults").json()["faults"].empty());
  EXPECT_EQ(http_post(ep.url(), "/admin/faults", R"({"action":"explode"})").response.status, 400);
  EXPECT_EQ(http_post(ep.url(), "/admin/faults", R"({"status":99})").response.status, 400);
  EXPECT_EQ(http_post(ep.url(), "/admin/faults", R"({})").response.status, 400);
  EXPECT_EQ(http_post(ep.url(), "/admin/faults", "nope").response.status, 400);
  EXPECT_TRUE(http_get(ep.url(), "/admin/faults").json()["faults"].empty());
}

}  // namespace
}  // namespace flowtrack::test
