// flowtrack::client against a real mock-segment process: every message type arrives intact,
// and each fault leads to the right outcome with the right number of attempts.
#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <map>
#include <optional>
#include <set>

#include "flowtrack/client.hpp"
#include "support/http_test_client.hpp"
#include "support/mock_process.hpp"
#include "support/temp_dir.hpp"

namespace flowtrack::test {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

template <class Endpoint>
config config_for(const Endpoint& ep) {
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

// An endpoint view of a process started by the test itself (events() and requests() take one).
struct process_endpoint {
  std::string address;
  const std::string& url() const noexcept { return address; }
};
process_endpoint ep_of(const mock_process& p) { return {p.url()}; }

template <class Endpoint>
json events(const Endpoint& ep) { return http_get(ep.url(), "/admin/events").json()["events"]; }
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

// Behind a 64 KiB body limit (a proxy's, here mock-segment's own), batches of up to 500 KB
// draw 413 and go again as halves until they fit: every event of a 20000-event run arrives.
TEST(ClientAgainstMock, BodyLimitOf64KiBLetsEveryEventThrough) {
  mock_process limited({"--max-body-bytes", "65536", "--max-events", "100000"});
  config cfg = config_for(ep_of(limited));
  cfg.batch_max_messages = 2500;
  cfg.queue_capacity = 30000;
  constexpr int total = 20000;
  int delivered = 0, delivered_after_a_split = 0, failed_with_cause = 0, failed_otherwise = 0;
  cfg.on_delivery = [&](std::string_view, std::error_code ec, const diagnostics& why) {
    if (!ec) {
      ++delivered;
      if (why.attempts > 1) ++delivered_after_a_split;  // its batch drew 413 first
    } else if (ec == errc::http_status && why.http_status == 413) {
      ++failed_with_cause;
    } else {
      ++failed_otherwise;
    }
  };
  close_report report;
  EXPECT_FALSE(run_client(cfg, [](client& c) {
    for (int i = 0; i < total; ++i)
      c.track({.user_id = "u", .event = "Behind A Proxy", .properties = {{"i", i}, {"pad", std::string(64, 'x')}}});
  }, &report));
  // Every message sent is delivered or failed with the server's refusal of that very message:
  // under a 64 KiB limit none is refused alone, so none fails.
  EXPECT_EQ(delivered + failed_with_cause + failed_otherwise, total);
  EXPECT_EQ(delivered, total);
  EXPECT_EQ(failed_with_cause, 0);
  EXPECT_EQ(failed_otherwise, 0);
  EXPECT_EQ(report.delivered, static_cast<std::uint64_t>(total));
  EXPECT_EQ(report.failed, 0u);
  const auto stats = http_get(limited.url(), "/admin/stats").json();
  // The limit did refuse batches: the 413s happened, and the halves made it through.
  EXPECT_GE(stats["by_status"].value("413", 0), 8) << stats;  // at least the first try of each batch
  EXPECT_GT(delivered_after_a_split, 0);
  EXPECT_EQ(stats["events_accepted"], total) << stats;
  EXPECT_EQ(stats["unique_message_ids"], total) << stats;
  RecordProperty("refused_413", stats["by_status"].value("413", 0));
}

// A strict gateway refuses a whole batch with 400 for the one event it will not take: halves
// isolate the refused messages; only they fail, each with the status as its cause.
TEST(ClientAgainstMock, BadRequestHalvesIsolateTheRefusedMessages) {
  mock_process strict({"--refuse-event", "Refused"});
  config cfg = config_for(ep_of(strict));
  constexpr int total = 1000;
  const std::set<int> refused = {17, 500, 501, 999};
  std::map<std::string, std::pair<std::error_code, diagnostics>> fates;
  cfg.on_delivery = [&](std::string_view id, std::error_code ec, const diagnostics& why) {
    EXPECT_TRUE(fates.emplace(std::string(id), std::pair{ec, why}).second) << id << " settled twice";
  };
  close_report report;
  EXPECT_EQ(run_client(cfg, [&](client& c) {
    for (int i = 0; i < total; ++i)
      ASSERT_FALSE(c.track({.user_id = "u", .event = refused.contains(i) ? "Refused" : "Fine",
                            .properties = {{"i", i}}, .message_id = "m-" + std::to_string(i)}));
  }, &report), errc::http_status);
  ASSERT_EQ(fates.size(), static_cast<std::size_t>(total));  // every message sent has its fate
  for (int i = 0; i < total; ++i) {
    const auto& [ec, why] = fates.at("m-" + std::to_string(i));
    if (refused.contains(i)) {
      EXPECT_EQ(ec, errc::http_status) << i;
      EXPECT_EQ(why.http_status, 400) << i;
      EXPECT_EQ(why.last_error, errc::http_status) << i;
    } else {
      EXPECT_FALSE(ec) << i << ": " << ec.message() << ", HTTP " << why.http_status;
    }
  }
  EXPECT_EQ(report.delivered, static_cast<std::uint64_t>(total) - refused.size());
  EXPECT_EQ(report.failed, refused.size());
  EXPECT_EQ(report.last_failure, errc::http_status);
  EXPECT_EQ(report.last_failure_diagnostics.http_status, 400);
  const auto stats = http_get(strict.url(), "/admin/stats").json();
  EXPECT_GE(stats["by_status"].value("400", 0), static_cast<int>(refused.size())) << stats;
  EXPECT_EQ(stats["events_accepted"], total - static_cast<int>(refused.size())) << stats;
  EXPECT_EQ(stats["unique_message_ids"], total - static_cast<int>(refused.size())) << stats;
}

// A message over the limit by itself is the only one that fails, with the status as its cause.
TEST(ClientAgainstMock, AMessageTheLimitStillRefusesAloneFailsWithItsStatus) {
  mock_process limited({"--max-body-bytes", "4096"});
  config cfg;
  cfg.write_key = "integration-key";
  cfg.endpoint = limited.url();
  cfg.flush_interval = 1h;
  std::vector<std::pair<std::error_code, diagnostics>> failures;
  cfg.on_delivery = [&](std::string_view, std::error_code ec, const diagnostics& why) {
    if (ec) failures.emplace_back(ec, why);
  };
  close_report report;
  EXPECT_EQ(run_client(cfg, [](client& c) {
    for (int i = 0; i < 7; ++i) c.track({.user_id = "u", .event = "Small", .properties = {{"i", i}}});
    c.track({.user_id = "u", .event = "Too Big", .properties = {{"pad", std::string(8000, 'x')}}});
  }, &report), errc::http_status);
  EXPECT_EQ(report.delivered, 7u);
  EXPECT_EQ(report.failed, 1u);
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].first, errc::http_status);
  EXPECT_EQ(failures[0].second.http_status, 413);
  EXPECT_EQ(failures[0].second.last_error, errc::http_status);
  EXPECT_EQ(events(ep_of(limited)).size(), 7u);
}

// A wrong write key may be fixed by the next run: with a spool the batch is kept, not dropped.
TEST(ClientAgainstMock, WrongWriteKeyWithASpoolKeepsTheBatchForTheNextRun) {
  mock_process strict({"--write-key", "the-right-key"});
  const temp_dir spool{"flowtrack-401-spool"};
  config cfg;
  cfg.write_key = "the-wrong-key";
  cfg.endpoint = strict.url();
  cfg.flush_interval = 1h;
  cfg.spool_dir = spool.path();
  close_report report;
  EXPECT_EQ(run_client(cfg, [](client& c) {
    for (int i = 0; i < 5; ++i) c.track({.user_id = "u", .event = "Kept", .properties = {{"i", i}}});
  }, &report), errc::http_status);
  EXPECT_EQ(report.spooled, 5u);
  EXPECT_EQ(report.failed, 0u);
  EXPECT_EQ(report.last_failure_diagnostics.http_status, 401);
  cfg.write_key = "the-right-key";
  EXPECT_FALSE(run_client(cfg, [](client&) {}, &report));
  EXPECT_EQ(report.delivered, 5u);
  EXPECT_EQ(http_get(strict.url(), "/admin/stats").json()["events_accepted"], 5);
}

// Cancelling close() at 200 ms of a 3 s deadline against a server that never answers, on
// real time: it completes within 250 ms, everything is spooled, the next client delivers all.
TEST(ClientAgainstMock, CancelledCloseAgainstAnUnresponsiveServerSpoolsAtOnce) {
  mock_process mock({"--mode", "blackhole"});
  const temp_dir spool{"flowtrack-cancel-spool"};
  config cfg = config_for(ep_of(mock));
  cfg.spool_dir = spool.path();
  {
    asio::io_context io;
    client c{io, cfg};
    for (int i = 0; i < 50; ++i) c.track({.user_id = "u", .event = "Cancelled Close", .properties = {{"i", i}}});
    asio::cancellation_signal cancel;
    std::optional<close_report> report;
    const auto start = std::chrono::steady_clock::now();
    std::chrono::steady_clock::duration took{};
    asio::co_spawn(io, c.async_close(3s), asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr, close_report r) {
      took = std::chrono::steady_clock::now() - start;
      report = r;
    }));
    asio::steady_timer at_200ms(io, start + 200ms);
    at_200ms.async_wait([&](std::error_code) { cancel.emit(asio::cancellation_type::terminal); });
    io.run_for(5s);
    ASSERT_TRUE(report.has_value());
    EXPECT_TRUE(report->cancelled);
    EXPECT_LE(took, 250ms);
    EXPECT_GE(took, 200ms);
    EXPECT_EQ(report->spooled, 50u);
    EXPECT_EQ(report->pending, 0u);
    RecordProperty("close_ms", static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()));
  }
  ASSERT_EQ(http_post(mock.url(), "/admin/mode", R"({"mode":"ok"})").response.status, 200);
  close_report next;
  EXPECT_FALSE(run_client(cfg, [](client&) {}, &next));
  EXPECT_EQ(next.delivered, 50u);
  EXPECT_EQ(events(ep_of(mock)).size(), 50u);
}

}  // namespace
}  // namespace flowtrack::test
