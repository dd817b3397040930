// The blocking flush(timeout) / close(timeout) and the client that runs on a thread of its own
// (client(config)), for programs without an event loop.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include <asio/post.hpp>

#include "client_test_support.hpp"
#include "flowtrack/client.hpp"
#include "support/temp_dir.hpp"

namespace flowtrack::test {
namespace {

using namespace std::chrono_literals;

// A port on which nothing listens: bind one, remember it, close it.
std::uint16_t closed_port() {
  asio::io_context io;
  asio::ip::tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

// Moves virtual time on from a thread of its own while the test thread is blocked in a
// blocking call: a step whenever no request is in progress, so no reply is overtaken.
class virtual_time_mover {
 public:
  virtual_time_mover()
      : thread_([this] {
          while (!stop_.load()) {
            if (detail::engine_clock::io_in_progress() == 0) detail::virtual_time::advance(1ms);
            std::this_thread::yield();
          }
        }) {}
  ~virtual_time_mover() {
    stop_.store(true);
    thread_.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST(ClientBlocking, OwnThreadClientDeliversWithBlockingFlushAndClose) {
  loopback_server server;
  client c{unit_test_config(server.url())};  // no io_context of the caller's
  ASSERT_FALSE(c.track(numbered_event(1)));
  EXPECT_EQ(c.flush(5s), std::error_code{});
  EXPECT_EQ(received_messages(server).size(), 1u);  // the flush returned after the delivery

  ASSERT_FALSE(c.track(numbered_event(2)));
  const close_report report = c.close(5s);
  EXPECT_EQ(report.delivered, 2u);
  EXPECT_EQ(report.pending, 0u);
  EXPECT_EQ(c.track(numbered_event(3)), errc::closed);
}

TEST(ClientBlocking, FlushReportsTheOutcomeAndItsDiagnostics) {
  loopback_server server;
  server.set_fallback(reply::status_code(400));
  client c{unit_test_config(server.url())};
  ASSERT_FALSE(c.track(numbered_event(1)));
  diagnostics why;
  EXPECT_EQ(c.flush(5s, why), errc::http_status);
  EXPECT_EQ(why.http_status, 400);
  EXPECT_EQ(c.close(5s).failed, 1u);
}

TEST(ClientBlocking, FlushGivesUpAtItsTimeoutOnTheEngineClockAndDeliveryGoesOn) {
  detail::virtual_time clock;
  auto cfg = unit_test_config("http://127.0.0.1:" + std::to_string(closed_port()));
  cfg.retry.max_attempts = 1000000;  // only a deadline ends it
  client c{cfg};
  ASSERT_FALSE(c.track(numbered_event(1)));
  std::error_code flushed;
  detail::engine_clock::duration took{};
  {
    virtual_time_mover mover;
    const auto t0 = detail::engine_clock::now();
    flushed = c.flush(200ms);
    took = detail::engine_clock::now() - t0;
  }
  EXPECT_EQ(flushed, errc::deadline_reached);
  EXPECT_GE(took, 200ms);
  EXPECT_EQ(c.statistics().pending, 1u);  // the wait was abandoned, not the message
  close_report report;
  {
    // Delivery goes on after the flush gave up: with time moving, the engine keeps retrying.
    // (Whether a first attempt failed within the flush's 200 ms depends on how fast the
    // connect to the closed port returns, so it is not asserted there.)
    virtual_time_mover mover;
    const auto guard = std::chrono::steady_clock::now() + 30s;  // a hang fails, not blocks
    while (c.statistics().retries < 1 && std::chrono::steady_clock::now() < guard)
      std::this_thread::yield();
    EXPECT_GE(c.statistics().retries, 1u);
    report = c.close(100ms);
  }
  EXPECT_TRUE(report.deadline_reached);
  EXPECT_EQ(report.pending, 1u);
}

// On the thread that runs the client, a blocking call could never complete: it refuses at once.
TEST(ClientBlocking, RefusedOnTheClientsOwnThread) {
  loopback_server server;
  client c{unit_test_config(server.url())};
  std::promise<std::pair<std::error_code, std::error_code>> refused;
  auto result = refused.get_future();
  asio::post(c.get_executor(), [&] {
    const std::error_code flushed = c.flush(1s);
    std::error_code closed;
    try {
      (void)c.close(1s);
    } catch (const std::system_error& e) {
      closed = e.code();
    }
    refused.set_value({flushed, closed});
  });
  ASSERT_EQ(result.wait_for(10s), std::future_status::ready);
  const auto [flushed, closed] = result.get();
  EXPECT_EQ(flushed, std::errc::resource_deadlock_would_occur);
  EXPECT_EQ(closed, std::errc::resource_deadlock_would_occur);
  EXPECT_EQ(c.close(5s).pending, 0u);  // still usable from another thread
}

TEST(ClientBlocking, RefusedOnAThreadRunningTheApplicationsIoContext) {
  loopback_server server;
  asio::io_context io;
  client c{io, unit_test_config(server.url())};
  std::error_code flushed;
  asio::post(io, [&] {
    flushed = c.flush(1s);
    c.async_close(1s, [](std::exception_ptr, close_report) {});
  });
  io.run_for(10s);
  EXPECT_EQ(flushed, std::errc::resource_deadlock_would_occur);
}

TEST(ClientBlocking, AsynchronousOperationsWorkOnAnOwnThreadClient) {
  loopback_server server;
  client c{unit_test_config(server.url())};
  ASSERT_FALSE(c.track(numbered_event(1)));
  std::promise<std::thread::id> completed_on;
  auto on = completed_on.get_future();
  c.async_flush([&](std::exception_ptr, std::error_code ec) {
    EXPECT_FALSE(ec);
    completed_on.set_value(std::this_thread::get_id());
  });
  ASSERT_EQ(on.wait_for(10s), std::future_status::ready);
  EXPECT_NE(on.get(), std::this_thread::get_id());  // on the client's thread
  EXPECT_EQ(c.close(5s).delivered, 1u);
}

// The destructor of an own-thread client does what any client's does (the batch in flight is
// aborted and spooled), then joins its thread: it neither hangs on a black hole nor loses.
TEST(ClientBlocking, DestroyingAnUnclosedOwnThreadClientSpoolsAndJoins) {
  temp_dir spool{"flowtrack-client-blocking"};
  loopback_server dead;
  dead.set_fallback(reply::blackhole());
  auto cfg = unit_test_config(dead.url());
  cfg.spool_dir = spool.path();
  cfg.batch_max_messages = 1;  // sent at once
  {
    client c{cfg};
    ASSERT_FALSE(c.track(numbered_event(1)));
    ASSERT_TRUE(dead.wait_for_requests(1, 10s));  // in flight, never answered
  }
  loopback_server healthy;
  cfg.endpoint = healthy.url();
  client next{cfg};
  EXPECT_EQ(next.statistics().replayed, 1u);
  EXPECT_EQ(next.close(5s).delivered, 1u);
  EXPECT_EQ(received_messages(healthy).size(), 1u);
}

}  // namespace
}  // namespace flowtrack::test
