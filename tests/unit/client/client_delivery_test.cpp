// Coroutine tests of delivery: batching, flush, keep-alive, the wire format, retries.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include <asio/use_awaitable.hpp>

#include "client_test_support.hpp"
#include "flowtrack/client.hpp"
#include "http/gzip.hpp"

namespace flowtrack::test {
namespace {

using namespace std::chrono_literals;

config test_config(const loopback_server& server) {
  config c;
  c.write_key = "test-key";
  c.endpoint = server.url();
  c.flush_interval = 1h;  // nothing is sent unless a batch fills, or flush/close asks
  c.retry.base_delay = 1ms;
  c.retry.max_delay = 5ms;
  return c;
}

track_message event(int i) {
  return {.user_id = "user-" + std::to_string(i), .event = "Test Event", .properties = {{"i", i}}};
}

TEST(ClientDelivery, FlushSendsPartialBatchAndReusesOneConnection) {
  detail::virtual_time clock;
  loopback_server server;
  asio::io_context io;
  client c{io, test_config(server)};
  ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> {
    for (int round = 0; round < 3; ++round) {
      for (int i = 0; i < 4; ++i) EXPECT_FALSE(c.track(event(round * 4 + i)));
      EXPECT_EQ(server.requests().size(), static_cast<std::size_t>(round));  // nothing sent before flush
      EXPECT_FALSE(co_await c.async_flush());
      EXPECT_EQ(server.requests().size(), static_cast<std::size_t>(round + 1));
    }
    co_await c.async_close(10s);
  }));
  EXPECT_EQ(server.connections(), 1u);
  auto messages = received_messages(server);
  ASSERT_EQ(messages.size(), 12u);
  for (int i = 0; i < 12; ++i) EXPECT_EQ(messages[i]["properties"]["i"], i);
  auto s = c.statistics();
  EXPECT_EQ(s.delivered, 12u);
  EXPECT_EQ(s.batches, 3u);
  EXPECT_EQ(s.connections, 1u);
  EXPECT_EQ(s.pending, 0u);
}

TEST(ClientDelivery, FlushWithNothingQueuedCompletesAtOnce) {
  detail::virtual_time clock;
  loopback_server server;
  asio::io_context io;
  client c{io, test_config(server)};
  ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> {
    EXPECT_FALSE(co_await c.async_flush());
    co_await c.async_close(10s);
  }));
  EXPECT_TRUE(server.requests().empty());
}

TEST(ClientDelivery, SendsTheSegmentWireFormat) {
  detail::virtual_time clock;
  loopback_server server;
  asio::io_context io;
  auto cfg = test_config(server);
  cfg.default_context = {{"app", {{"name", "demo"}}}};
  client c{io, cfg};
  ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> {
    EXPECT_FALSE(c.track(event(1)));
    EXPECT_FALSE(c.identify({.user_id = "u1", .traits = {{"plan", "pro"}}}));
    co_await c.async_close(10s);
  }));
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& req = requests[0].request;
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.target, "/v1/batch");
  EXPECT_EQ(req.header("Authorization"), "Basic dGVzdC1rZXk6");  // base64("test-key:")
  EXPECT_EQ(req.header("Content-Type"), "application/json");
  EXPECT_EQ(req.header("User-Agent"), std::string("flowtrack/") + library_version());
  EXPECT_EQ(req.header("X-Retry-Count"), "");
  auto body = nlohmann::json::parse(req.body);
  EXPECT_EQ(body["context"]["library"]["name"], "flowtrack");
  EXPECT_EQ(body["context"]["library"]["version"], library_version());
  EXPECT_EQ(body["context"]["app"]["name"], "demo");
  ASSERT_TRUE(body["sentAt"].is_string());
  ASSERT_EQ(body["batch"].size(), 2u);
  EXPECT_EQ(body["batch"][0]["type"], "track");
  EXPECT_EQ(body["batch"][0]["event"], "Test Event");
  EXPECT_EQ(body["batch"][1]["type"], "identify");
  EXPECT_EQ(body["batch"][1]["traits"]["plan"], "pro");
  for (auto& m : body["batch"]) {
    EXPECT_EQ(m["messageId"].get<std::string>().size(), 36u);
    EXPECT_TRUE(m["timestamp"].is_string());
  }
}

TEST(ClientDelivery, SplitsBatchesByCount) {
  detail::virtual_time clock;
  loopback_server server;
  asio::io_context io;
  auto cfg = test_config(server);
  cfg.batch_max_messages = 10;
  client c{io, cfg};
  ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> {
    for (int i = 0; i < 25; ++i) EXPECT_FALSE(c.track(event(i)));
    co_await c.async_flush();
    co_await c.async_close(10s);
  }));
  std::vector<std::size_t> sizes;
  for (const auto& r : server.requests()) sizes.push_back(nlohmann::json::parse(r.request.body)["batch"].size());
  std::sort(sizes.begin(), sizes.end());
  EXPECT_EQ(sizes, (std::vector<std::size_t>{5, 10, 10}));
}

TEST(ClientDelivery, SplitsBatchesByBytesNeverOverTheLimit) {
  detail::virtual_time clock;
  loopback_server server;
  asio::io_context io;
  auto cfg = test_config(server);
  cfg.batch_max_bytes = 40000;
  client c{io, cfg};
  const std::string filler(3000, 'x');
  ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> {
    for (int i = 0; i < 40; ++i)
      EXPECT_FALSE(c.track({.user_id = "u", .event = "Big", .properties = {{"filler", filler}, {"i", i}}}));
    co_await c.async_flush();
    co_await c.async_close(10s);
  }));
  std::size_t total = 0;
  for (const auto& r : server.requests()) {
    EXPECT_LE(r.request.body.size(), 40000u);
    total += nlohmann::json::parse(r.request.body)["batch"].size();
  }
  EXPECT_EQ(total, 40u);
  EXPECT_GE(server.requests().size(), 4u);  // 40 x ~3 KB cannot fit in fewer bodies of 40 KB
}

TEST(ClientDelivery, RetriesServerErrorsWithStableIdsAndFreshSentAt) {
  detail::virtual_time clock;
  loopback_server server;
  server.script({reply::status_code(503), reply::status_code(500), reply::status_code(503)});
  asio::io_context io;
  auto cfg = test_config(server);
  cfg.retry.base_delay = 10ms;  // sentAt has millisecond precision: attempts 10+ ms apart
  cfg.retry.max_delay = 40ms;
  cfg.retry.jitter = 0.0;
  client c{io, cfg};
  ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> {
    EXPECT_FALSE(c.track(event(1)));
    EXPECT_FALSE(co_await c.async_flush());
    co_await c.async_close(10s);
  }));
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 4u);
  std::set<std::string> ids, timestamps;
  std::vector<std::string> sent_at;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    EXPECT_EQ(requests[i].request.header("X-Retry-Count"), i == 0 ? "" : std::to_string(i));
    auto body = nlohmann::json::parse(requests[i].request.body);
    ids.insert(body["batch"][0]["messageId"].get<std::string>());
    timestamps.insert(body["batch"][0]["timestamp"].get<std::string>());
    sent_at.push_back(body["sentAt"].get<std::string>());
  }
  EXPECT_EQ(ids.size(), 1u);
  EXPECT_EQ(timestamps.size(), 1u);  // the event's own time stays
  for (std::size_t i = 1; i < sent_at.size(); ++i)  // ISO-8601 UTC: text order is time order
    EXPECT_LT(sent_at[i - 1], sent_at[i]) << "attempt " << i + 1 << " was not restamped";
  EXPECT_EQ(c.statistics().retries, 3u);
  EXPECT_EQ(c.statistics().delivered, 1u);
}

TEST(ClientDelivery, BadRequestIsNeverRetried) {
  detail::virtual_time clock;
  loopback_server server;
  server.script({reply::status_code(400)});
  asio::io_context io;
  std::vector<std::pair<std::string, std::error_code>> outcomes;
  auto cfg = test_config(server);
  cfg.on_delivery = [&](std::string_view id, std::error_code ec) { outcomes.emplace_back(std::string(id), ec); };
  client c{io, cfg};
  ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> {
    EXPECT_FALSE(c.track(event(1)));
    EXPECT_EQ(co_await c.async_flush(), errc::http_status);
    co_await c.async_close(10s);
  }));
  EXPECT_EQ(server.requests().size(), 1u);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].second, errc::http_status);
  EXPECT_EQ(outcomes[0].first.size(), 36u);
  EXPECT_EQ(c.statistics().failed, 1u);
}

TEST(ClientDelivery, GivesUpAfterMaxAttempts) {
  detail::virtual_time clock;
  loopback_server server;
  server.set_fallback(reply::status_code(503));
  asio::io_context io;
  auto cfg = test_config(server);
  cfg.retry.max_attempts = 3;
  client c{io, cfg};
  diagnostics why;
  ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> {
    EXPECT_FALSE(c.track(event(1)));
    EXPECT_EQ(co_await c.async_flush(why), errc::retries_exhausted);
    co_await c.async_close(10s);
  }));
  EXPECT_EQ(server.requests().size(), 3u);
  EXPECT_EQ(why, (diagnostics{errc::http_status, 503, 3}));  // the cause, not only "exhausted"
}

TEST(ClientDelivery, TheCauseOfAFailureReachesTheCallerThroughEveryChannel) {
  detail::virtual_time clock;
  std::string closed_url;
  {
    loopback_server gone;
    closed_url = gone.url();
  }
  asio::io_context io;
  config cfg;
  cfg.write_key = "test-key";
  cfg.endpoint = closed_url;
  cfg.flush_interval = 1h;
  cfg.retry.max_attempts = 2;
  cfg.retry.base_delay = 1ms;
  std::vector<diagnostics> per_message;
  cfg.on_delivery = [&](std::string_view, std::error_code ec, const diagnostics& why) {
    EXPECT_EQ(ec, errc::retries_exhausted);
    per_message.push_back(why);
  };
  client c{io, cfg};
  diagnostics flushed;
  close_report report;
  ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> {
    EXPECT_FALSE(c.track(event(1)));
    EXPECT_FALSE(c.track(event(2)));
    EXPECT_EQ(co_await c.async_flush(flushed), errc::retries_exhausted);
    report = co_await c.async_close(10s);
  }));
  const diagnostics expected{errc::connect_failed, 0, 2};
  ASSERT_EQ(per_message.size(), 2u);
  EXPECT_EQ(per_message[0], expected);
  EXPECT_EQ(per_message[1], expected);
  EXPECT_EQ(flushed, expected);
  EXPECT_EQ(report.last_failure, errc::retries_exhausted);
  EXPECT_EQ(report.last_failure_diagnostics, expected);
}

// 413: the batch goes again as two halves, recursively; every message is delivered.
TEST(ClientDelivery, TooLargeBatchIsSplitInHalvesUntilAccepted) {
  detail::virtual_time clock;
  loopback_server server;
  server.script({reply::status_code(413), reply::status_code(413), reply::ok(), reply::ok(), reply::ok()});
  asio::io_context io;
  client c{io, test_config(server)};
  ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> {
    for (int i = 0; i < 4; ++i) EXPECT_FALSE(c.track(event(i)));
    EXPECT_FALSE(co_await c.async_flush());
    co_await c.async_close(10s);
  }));
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 5u);  // 4, then 2 (413 again), then 1 + 1, then the other 2
  std::vector<std::size_t> sizes;
  sizes.reserve(requests.size());
  for (const auto& r : requests) sizes.push_back(nlohmann::json::parse(r.request.body)["batch"].size());
  EXPECT_EQ(sizes, (std::vector<std::size_t>{4, 2, 1, 1, 2}));
  EXPECT_EQ(c.statistics().delivered, 4u);
  EXPECT_EQ(c.statistics().failed, 0u);
  EXPECT_EQ(c.statistics().retries, 0u);  // splitting is not retrying
}

// 400: halves isolate the refused message; only it fails, with its cause.
TEST(ClientDelivery, BadRequestIsolatesTheRefusedMessage) {
  detail::virtual_time clock;
  loopback_server server;
  // [0 1 2 3] 400 -> [0 1] ok, [2 3] 400 -> [2] ok, [3] 400
  server.script({reply::status_code(400), reply::ok(), reply::status_code(400), reply::ok(), reply::status_code(400)});
  asio::io_context io;
  auto cfg = test_config(server);
  struct seen {
    std::string id;
    std::error_code outcome;
    diagnostics why;
  };
  std::vector<seen> outcomes;
  cfg.on_delivery = [&](std::string_view id, std::error_code ec, const diagnostics& why) {
    outcomes.push_back({std::string(id), ec, why});
  };
  client c{io, cfg};
  ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> {
    for (int i = 0; i < 4; ++i) EXPECT_FALSE(c.track(event(i)));
    EXPECT_EQ(co_await c.async_flush(), errc::http_status);
    co_await c.async_close(10s);
  }));
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 5u);
  std::map<std::string, int> index_of;
  const auto first_body = nlohmann::json::parse(requests[0].request.body);
  for (const auto& m : first_body["batch"]) index_of[m["messageId"].get<std::string>()] = m["properties"]["i"].get<int>();
  ASSERT_EQ(outcomes.size(), 4u);
  for (const auto& o : outcomes) {
    ASSERT_TRUE(index_of.count(o.id)) << o.id;
    if (index_of.at(o.id) == 3) {
      EXPECT_EQ(o.outcome, errc::http_status);
      EXPECT_EQ(o.why, (diagnostics{errc::http_status, 400, 3}));  // the whole, its half, itself
    } else {
      EXPECT_FALSE(o.outcome) << "message " << index_of.at(o.id);
    }
  }
  EXPECT_EQ(c.statistics().delivered, 3u);
  EXPECT_EQ(c.statistics().failed, 1u);
  const auto last = nlohmann::json::parse(requests[4].request.body)["batch"];
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0]["properties"]["i"], 3);  // the message the server refused, alone
}

TEST(ClientDelivery, HonoursRetryAfter) {
  detail::virtual_time clock;
  loopback_server server;
  reply limited = reply::status_code(429);
  limited.headers = {{"Retry-After", "1"}};
  server.script({limited});
  asio::io_context io;
  client c{io, test_config(server)};
  std::chrono::steady_clock::duration waited{};
  ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> {
    EXPECT_FALSE(c.track(event(1)));
    const auto start = detail::engine_clock::now();
    EXPECT_FALSE(co_await c.async_flush());
    waited = detail::engine_clock::now() - start;
    co_await c.async_close(10s);
  }));
  EXPECT_EQ(server.requests().size(), 2u);
  EXPECT_GE(waited, 1s);  // the backoff alone would have been 5 ms at most
  EXPECT_LT(waited, 1200ms);  // virtual time: the reply's way costs a few virtual ms
}

TEST(ClientDelivery, RecoversFromClosedResetAndGarbageConnections) {
  detail::virtual_time clock;
  loopback_server server;
  server.script({reply::close(), reply::reset(), reply::garbage()});
  asio::io_context io;
  client c{io, test_config(server)};
  ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> {
    EXPECT_FALSE(c.track(event(1)));
    EXPECT_FALSE(co_await c.async_flush());
    co_await c.async_close(10s);
  }));
  EXPECT_EQ(server.requests().size(), 4u);
  EXPECT_EQ(server.connections(), 4u);
  EXPECT_EQ(c.statistics().delivered, 1u);
}

TEST(ClientDelivery, GzipsBodiesWhenEnabled) {
  detail::virtual_time clock;
  loopback_server server;
  asio::io_context io;
  auto cfg = test_config(server);
  cfg.gzip = true;
  client c{io, cfg};
  ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> {
    for (int i = 0; i < 50; ++i) EXPECT_FALSE(c.track(event(i)));
    co_await c.async_close(10s);
  }));
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].request.header("Content-Encoding"), "gzip");
  std::string plain;
  ASSERT_FALSE(http::gzip_decompress(requests[0].request.body, plain, 1 << 20));
  EXPECT_LT(requests[0].request.body.size(), plain.size() / 3);
  EXPECT_EQ(nlohmann::json::parse(plain)["batch"].size(), 50u);
}

TEST(ClientDelivery, IntervalSendsPartialBatches) {
  detail::virtual_time clock;
  loopback_server server;
  asio::io_context io;
  auto cfg = test_config(server);
  cfg.flush_interval = 50ms;
  client c{io, cfg};
  ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> {
    EXPECT_FALSE(c.track(event(1)));
    const auto start = detail::engine_clock::now();
    detail::engine_timer t(co_await asio::this_coro::executor);
    while (server.requests().empty()) {  // polls the server, bounded by run_virtual
      t.expires_after(10ms);
      co_await t.async_wait(asio::use_awaitable);
    }
    EXPECT_GE(detail::engine_clock::now() - start, 50ms);  // the interval, not before
    EXPECT_LE(detail::engine_clock::now() - start, 150ms);
    co_await c.async_close(10s);
  }));
  EXPECT_EQ(received_messages(server).size(), 1u);
}

}  // namespace
}  // namespace flowtrack::test

namespace flowtrack::test {
namespace {

// config::preconnect: the connection is open before the first batch, and the batch uses it.
TEST(ClientPreconnect, TheConnectionOpensAtStartAndTheFirstBatchUsesIt) {
  loopback_server server;
  asio::io_context io;
  config cfg;
  cfg.write_key = "test-key";
  cfg.endpoint = server.url();
  cfg.flush_interval = std::chrono::hours(1);
  cfg.preconnect = true;
  client c{io, cfg};
  // Drive the event loop until the server has accepted (bounded; nothing is tracked yet).
  for (int i = 0; i < 400 && server.connections() == 0; ++i) io.run_for(std::chrono::milliseconds(5));
  io.restart();
  EXPECT_EQ(server.connections(), 1u) << "opened before any message";
  EXPECT_TRUE(server.requests().empty());
  EXPECT_EQ(c.statistics().connections, 1u);
  ASSERT_FALSE(c.track({.user_id = "u", .event = "E"}));
  close_report report;
  ASSERT_TRUE(run_coroutine(io, [&]() -> asio::awaitable<void> { report = co_await c.async_close(std::chrono::seconds(10)); }));
  EXPECT_EQ(report.delivered, 1u);
  EXPECT_EQ(server.connections(), 1u) << "the batch went on the preconnected connection";
  EXPECT_EQ(c.statistics().connections, 1u);
}

}  // namespace
}  // namespace flowtrack::test
