// flowtrack::client against a real mock-segment process: every message type arrives intact,
// and each fault leads to the right outcome with the right number of attempts.
#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>

#include "flowtrack/client.hpp"
#include "support/http_test_client.hpp"
#include "support/mock_process.hpp"

namespace flowtrack::test {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

config config_for(const test_endpoint& ep) {
  config c;
  c.write_key = "integration-key";
  c.endpoint = ep.url();
  c.flush_interval = 1h;
  c.retry.base_delay = 5ms;
  c.retry.max_delay = 20ms;
  return c;
}

// Runs the client: `produce` queues messages, then a flush, then close. Returns the flush result.
template <class F>
std::error_code run_client(const config& cfg, F produce, close_report* report = nullptr) {
  asio::io_context io;
  client c{io, cfg};
  produce(c);
  std::error_code flushed;
  close_report closed;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    flushed = co_await c.async_flush();
    closed = co_await c.async_close(5s);
  }, [](std::exception_ptr e) { if (e) std::rethrow_exception(e); });
  io.run_for(30s);
  if (report) *report = closed;
  return flushed;
}

json events(const test_endpoint& ep) { return http_get(ep.url(), "/admin/events").json()["events"]; }
json requests(const test_endpoint& ep) { return http_get(ep.url(), "/admin/requests").json()["requests"]; }
void script(const test_endpoint& ep, const json& faults) {
  ASSERT_EQ(http_post(ep.url(), "/admin/faults", faults.dump()).response.status, 200);
}

TEST(ClientAgainstMock, EveryMessageTypeArrivesIntact) {
  test_endpoint ep;
  const auto when = std::chrono::system_clock::time_point(std::chrono::milliseconds(1764045749123));
  ASSERT_FALSE(run_client(config_for(ep), [&](client& c) {
    EXPECT_FALSE(c.track({.user_id = "u1", .event = "Command Completed",
                          .properties = {{"exit_code", 0}, {"duration_ms", 12.5}, {"flags", {"--verbose"}}, {"ok", true}},
                          .context = {{"app", {{"name", "demo"}}}}, .time = when, .message_id = "fixed-id-1"}));
    EXPECT_FALSE(c.identify({.user_id = "u1", .traits = {{"email", "u1@example.com"}, {"名前", "ユーザー"}}}));
    EXPECT_FALSE(c.page({.anonymous_id = "anon", .name = "Docs", .properties = {{"path", "/docs"}}}));
    EXPECT_FALSE(c.screen({.user_id = "u1", .name = "Settings"}));
    EXPECT_FALSE(c.group({.user_id = "u1", .group_id = "team-7", .traits = {{"seats", 12}}}));
    EXPECT_FALSE(c.alias({.user_id = "u1", .previous_id = "anon"}));
  }));
  auto got = events(ep);
  ASSERT_EQ(got.size(), 6u);
  EXPECT_EQ(http_get(ep.url(), "/admin/rejected").json()["rejected"].size(), 0u);
  EXPECT_EQ(got[0]["type"], "track");
  EXPECT_EQ(got[0]["messageId"], "fixed-id-1");
  EXPECT_EQ(got[0]["timestamp"], "2025-11-25T04:42:29.123Z");
  EXPECT_EQ(got[0]["properties"]["duration_ms"], 12.5);
  EXPECT_EQ(got[0]["properties"]["flags"][0], "--verbose");
  EXPECT_EQ(got[0]["context"]["app"]["name"], "demo");
  EXPECT_EQ(got[0]["context"]["library"]["name"], "flowtrack");  // merged from the batch context
  EXPECT_EQ(got[0]["context"]["library"]["version"], library_version());
  EXPECT_EQ(got[1]["traits"]["名前"], "ユーザー");
  EXPECT_EQ(got[2]["anonymousId"], "anon");
  EXPECT_EQ(got[2]["name"], "Docs");
  EXPECT_EQ(got[3]["type"], "screen");
  EXPECT_EQ(got[4]["groupId"], "team-7");
  EXPECT_EQ(got[5]["previousId"], "anon");
  auto log = requests(ep);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0]["headers"]["User-Agent"], std::string("flowtrack/") + library_version());
}

TEST(ClientAgainstMock, ServerErrorsAreRetriedUntilDelivered) {
  test_endpoint ep;
  script(ep, json::array({{{"status", 503}}, {{"status", 503}}, {{"status", 503}}}));
  close_report report;
  EXPECT_FALSE(run_client(config_for(ep), [](client& c) { c.track({.user_id = "u", .event = "E"}); }, &report));
  auto log = requests(ep);
  ASSERT_EQ(log.size(), 4u);
  for (int i = 1; i < 4; ++i) EXPECT_EQ(log[i]["headers"]["X-Retry-Count"], std::to_string(i));
  EXPECT_EQ(events(ep).size(), 1u);
  EXPECT_EQ(report.delivered, 1u);
}

TEST(ClientAgainstMock, RateLimitHonoursRetryAfter) {
  test_endpoint ep;
  script(ep, {{"status", 429}, {"retry_after", 1}});
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(run_client(config_for(ep), [](client& c) { c.track({.user_id = "u", .event = "E"}); }));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 1s);
  EXPECT_EQ(requests(ep).size(), 2u);
  EXPECT_EQ(events(ep).size(), 1u);
}

TEST(ClientAgainstMock, DroppedResetAndGarbageConnectionsAreRetried) {
  test_endpoint ep;
  script(ep, json::array({{{"action", "close"}}, {{"action", "reset"}}, {{"action", "garbage"}}}));
  EXPECT_FALSE(run_client(config_for(ep), [](client& c) { c.track({.user_id = "u", .event = "E"}); }));
  EXPECT_EQ(requests(ep).size(), 4u);
  EXPECT_EQ(events(ep).size(), 1u);
}

TEST(ClientAgainstMock, BadRequestIsReportedAndNotRetried) {
  test_endpoint ep;
  script(ep, {{"status", 400}});
  close_report report;
  EXPECT_EQ(run_client(config_for(ep), [](client& c) { c.track({.user_id = "u", .event = "E"}); }, &report),
            errc::http_status);
  EXPECT_EQ(requests(ep).size(), 1u);
  EXPECT_EQ(report.failed, 1u);
  EXPECT_EQ(report.delivered, 0u);
}

TEST(ClientAgainstMock, GzipOnAndOff) {
  for (bool gzip : {false, true}) {
    test_endpoint ep;
    auto cfg = config_for(ep);
    cfg.gzip = gzip;
    EXPECT_FALSE(run_client(cfg, [](client& c) {
      for (int i = 0; i < 100; ++i) c.track({.user_id = "u", .event = "Compressible", .properties = {{"i", i}}});
    }));
    auto log = requests(ep);
    ASSERT_EQ(log.size(), 1u);
    EXPECT_EQ(log[0]["gzip"], gzip);
    EXPECT_EQ(log[0]["accepted"], 100);
    EXPECT_EQ(events(ep).size(), 100u);
  }
}

TEST(ClientAgainstMock, WrongWriteKeyIsAPermanentFailure) {
  mock_process strict({"--write-key", "the-right-key"});
  config cfg;
  cfg.write_key = "the-wrong-key";
  cfg.endpoint = strict.url();
  cfg.flush_interval = 1h;
  close_report report;
  EXPECT_EQ(run_client(cfg, [](client& c) { c.track({.user_id = "u", .event = "E"}); }, &report), errc::http_status);
  EXPECT_EQ(http_get(strict.url(), "/admin/stats").json()["requests"], 1);
  EXPECT_EQ(report.failed, 1u);
}

}  // namespace
}  // namespace flowtrack::test
