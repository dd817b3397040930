// Destroying a client that is still open: nothing its engine still runs touches freed memory
// (the unit tier runs under ASan and UBSan in the asan preset), nothing waits for a server that
// never answers, and with a spool directory what was accepted is kept for the next run.
#include <gtest/gtest.h>

#include <optional>
#include <set>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>

#include "client_test_support.hpp"
#include "flowtrack/client.hpp"
#include "support/temp_dir.hpp"

namespace flowtrack::test {
namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

config test_config(const std::string& url) {
  auto c = unit_test_config(url, "destruction-key");
  c.batch_max_messages = 5;  // a full batch goes at once, without a flush
  c.max_in_flight = 1;       // ... and the next ones wait in the queue behind it
  return c;
}

track_message event(int i) { return numbered_event(i); }

// Runs `io` until `server` received `n` requests (each turn bounded; the requests arrive in
// microseconds on loopback). False when they did not come within a second.
bool run_until_requests(asio::io_context& io, const loopback_server& server, std::size_t n) {
  const auto give_up = steady::now() + 1s;
  while (server.requests().size() < n && steady::now() < give_up) io.run_one_for(1ms);
  return server.requests().size() >= n;
}

std::set<int> indexes_of(const std::vector<nlohmann::json>& messages) {
  std::set<int> out;
  for (const auto& m : messages) out.insert(m["properties"]["i"].get<int>());
  return out;
}

std::set<int> range(int begin, int end) {
  std::set<int> out;
  for (int i = begin; i < end; ++i) out.insert(i);
  return out;
}

// The client goes while its sender awaits a response that never comes, and a flush waits on
// that batch: the sender is aborted, the flush completes with errc::closed, and the executor
// runs out of work at once (no coroutine is left on the freed engine or waits for the server).
TEST(ClientDestruction, WithABatchInFlightToAServerThatNeverAnswersEndsAtOnce) {
  loopback_server dead;
  dead.set_fallback(reply::blackhole());
  asio::io_context io;
  std::optional<client> c;
  c.emplace(io, test_config(dead.url()));
  for (int i = 0; i < 5; ++i) ASSERT_FALSE(c->track(event(i)));
  std::optional<std::error_code> flushed;
  asio::co_spawn(io, c->async_flush(), [&](std::exception_ptr e, std::error_code ec) {
    ASSERT_FALSE(e);
    flushed = ec;
  });
  ASSERT_TRUE(run_until_requests(io, dead, 1));
  c.reset();  // the batch is in flight: sent, no answer
  io.run_for(10s);          // a bound against a hang only: it returns as soon as nothing is left to run,
  EXPECT_TRUE(io.stopped());  // and stopped() says that is why it returned (not the bound)
  ASSERT_TRUE(flushed.has_value());
  EXPECT_EQ(*flushed, errc::closed);
  EXPECT_EQ(dead.requests().size(), 1u);  // not sent again
}

// The same, but the executor never runs again: the io_context is destroyed with the aborted
// sender's frame and the engine's last handlers still queued (ASan checks that their
// destruction frees the engine once, and in order).
TEST(ClientDestruction, WithABatchInFlightAndTheExecutorNeverRunAgain) {
  loopback_server dead;
  dead.set_fallback(reply::blackhole());
  {
    asio::io_context io;
    {
      client c{io, test_config(dead.url())};
      for (int i = 0; i < 12; ++i) ASSERT_FALSE(c.track(event(i)));
      asio::co_spawn(io, c.async_flush(), asio::detached);
      ASSERT_TRUE(run_until_requests(io, dead, 1));
    }
  }
  EXPECT_EQ(dead.requests().size(), 1u);
}

class ClientDestructionSpool : public ::testing::Test {
 protected:
  config spooling_config(const std::string& url) const {
    auto c = test_config(url);
    c.spool_dir = tmp_.path();
    return c;
  }

  // A new client on the same spool directory against a healthy server: what it replays and
  // what the server then receives.
  std::pair<std::uint64_t, std::vector<nlohmann::json>> next_run() const {
    detail::virtual_time clock;
    loopback_server healthy;
    asio::io_context io;
    client c{io, spooling_config(healthy.url())};
    const auto replayed = c.statistics().replayed;
    close_report report;
    EXPECT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> { report = co_await c.async_close(10s); }));
    EXPECT_EQ(report.delivered, replayed);
    EXPECT_EQ(report.pending, 0u);
    return {replayed, received_messages(healthy)};
  }

  temp_dir tmp_{"flowtrack-client-destruction"};
};

// What is queued is spooled by the destructor itself, on the destroying thread: the executor
// never runs again here, so nothing posted to it could have kept those messages.
TEST_F(ClientDestructionSpool, QueuedMessagesAreSpooledByTheDestructorItself) {
  loopback_server dead;
  dead.set_fallback(reply::blackhole());
  {
    asio::io_context io;
    client c{io, spooling_config(dead.url())};
    for (int i = 0; i < 5; ++i) ASSERT_FALSE(c.track(event(i)));
    ASSERT_TRUE(run_until_requests(io, dead, 1));  // [0, 5) in flight
    for (int i = 5; i < 20; ++i) ASSERT_FALSE(c.track(event(i)));  // [5, 20) queued behind it
    EXPECT_EQ(c.statistics().spooled, 0u);
  }  // the client, then the io_context: the batch in flight dies unsent with the executor
  const auto [replayed, delivered] = next_run();
  EXPECT_EQ(replayed, 15u);
  EXPECT_EQ(indexes_of(delivered), range(5, 20));
}

// When the executor runs on, the batch in flight is aborted and spooled too: nothing is lost.
TEST_F(ClientDestructionSpool, WithTheExecutorRunningOnTheBatchInFlightIsSpooledToo) {
  loopback_server dead;
  dead.set_fallback(reply::blackhole());
  {
    asio::io_context io;
    auto cfg = spooling_config(dead.url());
    std::size_t settled = 0;
    cfg.on_delivery = [&](std::string_view, std::error_code) { ++settled; };
    {
      client c{io, cfg};
      for (int i = 0; i < 5; ++i) ASSERT_FALSE(c.track(event(i)));
      ASSERT_TRUE(run_until_requests(io, dead, 1));
      for (int i = 5; i < 20; ++i) ASSERT_FALSE(c.track(event(i)));
    }
    io.run_for(10s);            // a bound against a hang only, as above:
    EXPECT_TRUE(io.stopped());  // out of work, nothing waits for the server
    EXPECT_EQ(settled, 0u);  // spooled, neither delivered nor failed
  }
  const auto [replayed, delivered] = next_run();
  EXPECT_EQ(replayed, 20u);
  EXPECT_EQ(indexes_of(delivered), range(0, 20));
}

}  // namespace
}  // namespace flowtrack::test
