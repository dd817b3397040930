// Coroutine tests of intake and shutdown: bounded close, cancellation, concurrency, overflow.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <future>
#include <map>
#include <set>
#include <thread>

#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/this_coro.hpp>
#include <optional>

#include "client_test_support.hpp"
#include "flowtrack/client.hpp"

namespace flowtrack::test {
namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

config test_config(const std::string& url) { return unit_test_config(url); }

track_message event(int i) { return numbered_event(i); }

// A port on which nothing listens: bind one, remember it, close it.
std::uint16_t closed_port() {
  asio::io_context io;
  asio::ip::tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

// These run on virtual time (detail::virtual_time): deadlines, backoffs and Retry-After are
// met by advancing it, so the durations asserted are exact and nothing waits real time.
TEST(ClientLifecycle, CloseWithNothingQueuedReturnsAtOnceAndRunReturns) {
  detail::virtual_time clock;
  loopback_server server;
  asio::io_context io;
  client c{io, test_config(server.url())};
  close_report report;
  steady::duration close_took{};
  ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> {
    const auto t0 = detail::engine_clock::now();
    report = co_await c.async_close(5s);
    close_took = detail::engine_clock::now() - t0;
  }));
  EXPECT_TRUE(io.stopped());  // run() returned on its own: no task of the client is left
  EXPECT_EQ(close_took, steady::duration::zero());
  EXPECT_EQ(report.elapsed, 0ms);
  EXPECT_FALSE(report.deadline_reached);
  EXPECT_EQ(report.pending, 0u);
  EXPECT_TRUE(server.requests().empty());
}

TEST(ClientLifecycle, CloseAgainstBlackHoleEndsAtTheDeadline) {
  detail::virtual_time clock;
  loopback_server server;
  server.set_fallback(reply::blackhole());
  asio::io_context io;
  client c{io, test_config(server.url())};
  close_report report;
  steady::duration close_took{};
  for (int i = 0; i < 10; ++i) ASSERT_FALSE(c.track(event(i)));
  ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> {
    const auto t0 = detail::engine_clock::now();
    report = co_await c.async_close(300ms);
    close_took = detail::engine_clock::now() - t0;
  }));
  EXPECT_TRUE(io.stopped());  // the read on the black-holed connection was cancelled
  EXPECT_GE(close_took, 300ms);
  EXPECT_LE(close_took, 320ms);  // the aborted read ends at its next resumption, within the 20 ms grace
  EXPECT_TRUE(report.deadline_reached);
  EXPECT_FALSE(report.cancelled);
  EXPECT_EQ(report.pending, 10u);
  EXPECT_EQ(report.delivered, 0u);
  EXPECT_GE(server.requests().size(), 1u);
}

TEST(ClientLifecycle, CloseCancelsBackoffSleep) {
  detail::virtual_time clock;
  loopback_server server;
  reply slow_down = reply::status_code(429);
  slow_down.headers = {{"Retry-After", "60"}};
  server.set_fallback(slow_down);
  asio::io_context io;
  client c{io, test_config(server.url())};
  close_report report;
  steady::duration close_took{};
  ASSERT_FALSE(c.track(event(1)));
  ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> {
    const auto t0 = detail::engine_clock::now();
    report = co_await c.async_close(200ms);
    close_took = detail::engine_clock::now() - t0;
  }));
  EXPECT_TRUE(io.stopped());
  EXPECT_GE(close_took, 200ms);
  EXPECT_LE(close_took, 201ms);  // the backoff timer is cancelled at once
  EXPECT_TRUE(report.deadline_reached);
  EXPECT_EQ(report.pending, 1u);
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(ClientLifecycle, CloseCancelsConnectRetriesToAClosedPort) {
  detail::virtual_time clock;
  asio::io_context io;
  auto cfg = test_config("http://127.0.0.1:" + std::to_string(closed_port()));
  cfg.retry.max_attempts = 1000000;  // only the deadline ends it
  client c{io, cfg};
  close_report report;
  steady::duration close_took{};
  ASSERT_FALSE(c.track(event(1)));
  ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> {
    const auto t0 = detail::engine_clock::now();
    report = co_await c.async_close(200ms);
    close_took = detail::engine_clock::now() - t0;
  }));
  EXPECT_TRUE(io.stopped());
  EXPECT_GE(close_took, 200ms);
  EXPECT_LE(close_took, 225ms);
  EXPECT_EQ(report.pending, 1u);
  EXPECT_GE(c.statistics().retries, 1u);
}

// close() is cancellable (terminal and partial): sending stops at once, the close completes
// with report.cancelled, and what is left is pending (no spool here; see ClientSpool for the
// spooled case).
class ClientCloseCancellation : public ::testing::TestWithParam<asio::cancellation_type> {};

TEST_P(ClientCloseCancellation, StopsSendingAtOnceAgainstABlackHole) {
  detail::virtual_time clock;
  loopback_server server;
  server.set_fallback(reply::blackhole());
  asio::io_context io;
  client c{io, test_config(server.url())};
  for (int i = 0; i < 10; ++i) ASSERT_FALSE(c.track(event(i)));
  asio::cancellation_signal cancel;
  std::optional<close_report> report;
  const auto t0 = detail::engine_clock::now();
  steady::duration took{};
  detail::engine_timer closed(io, detail::engine_clock::time_point::max());
  asio::co_spawn(io, c.async_close(3s), asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr e, close_report r) {
    EXPECT_FALSE(e);
    report = r;
    took = detail::engine_clock::now() - t0;
    closed.cancel();
  }));
  ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> {
    detail::engine_timer at_200ms(co_await asio::this_coro::executor, t0 + 200ms);
    co_await at_200ms.async_wait(asio::use_awaitable);
    cancel.emit(GetParam());
    if (!report) co_await closed.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
  }));
  ASSERT_TRUE(report.has_value());
  EXPECT_GE(took, 200ms);
  EXPECT_LE(took, 250ms);
  EXPECT_TRUE(report->cancelled);
  EXPECT_FALSE(report->deadline_reached);
  EXPECT_EQ(report->pending, 10u);
  EXPECT_EQ(c.track(event(11)), errc::closed);
}

TEST_P(ClientCloseCancellation, OfTheAwaitingCoroutineByTheOrOperator) {
  using namespace asio::experimental::awaitable_operators;
  detail::virtual_time clock;
  loopback_server server;
  server.set_fallback(reply::blackhole());
  asio::io_context io;
  client c{io, test_config(server.url())};
  ASSERT_FALSE(c.track(event(1)));
  steady::duration took{};
  ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> {
    const auto t0 = detail::engine_clock::now();
    detail::engine_timer at_100ms(co_await asio::this_coro::executor, t0 + 100ms);
    // `||` cancels the loser (terminal): the close stops sending at once.
    co_await (c.async_close(3s) || at_100ms.async_wait(asio::use_awaitable));
    took = detail::engine_clock::now() - t0;
  }));
  EXPECT_LE(took, 150ms);
  EXPECT_EQ(c.statistics().pending, 1u);
}

INSTANTIATE_TEST_SUITE_P(TerminalAndPartial, ClientCloseCancellation,
                         ::testing::Values(asio::cancellation_type::terminal, asio::cancellation_type::partial),
                         [](const auto& info) {
                           return info.param == asio::cancellation_type::terminal ? "Terminal" : "Partial";
                         });

TEST(ClientLifecycle, TotalCancellationOfCloseIsIgnored) {
  detail::virtual_time clock;
  loopback_server server;
  server.set_fallback(reply::blackhole());
  asio::io_context io;
  client c{io, test_config(server.url())};
  ASSERT_FALSE(c.track(event(1)));
  asio::cancellation_signal cancel;
  std::optional<close_report> report;
  const auto t0 = detail::engine_clock::now();
  detail::engine_timer closed(io, detail::engine_clock::time_point::max());
  asio::co_spawn(io, c.async_close(500ms), asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr, close_report r) {
    report = r;
    closed.cancel();
  }));
  ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> {
    detail::engine_timer at_100ms(co_await asio::this_coro::executor, t0 + 100ms);
    co_await at_100ms.async_wait(asio::use_awaitable);
    cancel.emit(asio::cancellation_type::total);
    if (!report) co_await closed.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
  }));
  ASSERT_TRUE(report.has_value());
  EXPECT_FALSE(report->cancelled);
  EXPECT_TRUE(report->deadline_reached);
  EXPECT_GE(report->elapsed, 500ms);
}

TEST(ClientLifecycle, CloseIsIdempotentAndStopsIntake) {
  loopback_server server;
  asio::io_context io;
  client c{io, test_config(server.url())};
  ASSERT_FALSE(c.track(event(1)));
  close_report first, second;
  ASSERT_TRUE(run_coroutine(io, [&]() -> asio::awaitable<void> {
    first = co_await c.async_close(1s);
    second = co_await c.async_close(1s);
  }));
  EXPECT_EQ(first.delivered, 1u);
  EXPECT_EQ(second.delivered, 1u);
  EXPECT_EQ(c.track(event(2)), errc::closed);
}

TEST(ClientLifecycle, InvalidInputIsRefusedWithACode) {
  loopback_server server;
  asio::io_context io;
  client c{io, test_config(server.url())};
  EXPECT_EQ(c.track({.user_id = "u", .event = ""}), errc::invalid_message);
  EXPECT_EQ(c.track({.event = "No Identity"}), errc::invalid_message);
  EXPECT_EQ(c.track({.user_id = "u", .event = "E", .properties = {{"x", std::nan("")}}}), errc::invalid_number);
  EXPECT_EQ(c.track({.user_id = "u", .event = "E", .properties = {{"big", std::string(40000, 'a')}}}),
            errc::message_too_large);
  EXPECT_EQ(c.statistics().enqueued, 0u);
}

TEST(ClientLifecycle, FullQueueDropsNewestWithoutBlocking) {
  loopback_server server;
  asio::io_context io;
  auto cfg = test_config(server.url());
  cfg.queue_capacity = 5;
  client c{io, cfg};
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(c.track(event(i)));
  EXPECT_EQ(c.track(event(5)), errc::queue_full);
  EXPECT_EQ(c.statistics().dropped, 1u);
  ASSERT_TRUE(run_coroutine(io, [&]() -> asio::awaitable<void> { co_await c.async_close(1s); }));
  auto messages = received_messages(server);
  ASSERT_EQ(messages.size(), 5u);
  EXPECT_EQ(messages.back()["properties"]["i"], 4);
}

TEST(ClientLifecycle, FullQueueCanDropOldest) {
  loopback_server server;
  asio::io_context io;
  auto cfg = test_config(server.url());
  cfg.queue_capacity = 5;
  cfg.overflow = overflow_policy::drop_oldest;
  std::vector<std::error_code> outcomes;
  cfg.on_delivery = [&](std::string_view, std::error_code ec) { outcomes.push_back(ec); };
  client c{io, cfg};
  for (int i = 0; i < 7; ++i) EXPECT_FALSE(c.track(event(i)));
  ASSERT_TRUE(run_coroutine(io, [&]() -> asio::awaitable<void> { co_await c.async_close(1s); }));
  auto messages = received_messages(server);
  ASSERT_EQ(messages.size(), 5u);
  EXPECT_EQ(messages.front()["properties"]["i"], 2);
  EXPECT_EQ(std::count(outcomes.begin(), outcomes.end(), std::error_code(errc::queue_full)), 2);
  EXPECT_EQ(c.statistics().dropped, 2u);
}

TEST(ClientLifecycle, WaitForCapacityTimesOutWhileNothingMakesRoom) {
  loopback_server server;
  asio::io_context io;  // not running: nothing is sent, the queue stays full
  auto cfg = test_config(server.url());
  cfg.queue_capacity = 3;
  client c{io, cfg};
  EXPECT_TRUE(c.wait_for_capacity(0ms));  // room at once
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(c.track(event(i)));
  const auto t0 = steady::now();
  EXPECT_FALSE(c.wait_for_capacity(30ms));  // a producer thread's wait: real time
  EXPECT_GE(steady::now() - t0, 30ms);
}

TEST(ClientLifecycle, WaitForCapacityReturnsWhenABatchLeavesTheQueue) {
  loopback_server server;
  asio::io_context io;
  auto cfg = test_config(server.url());
  cfg.queue_capacity = 3;
  client c{io, cfg};
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(c.track(event(i)));
  // The waiter reports back through the io_context, so the client closes only after it woke.
  asio::steady_timer waiter_done(io, 30s);
  std::atomic<bool> room{false};
  std::thread waiter([&] {
    room = c.wait_for_capacity(30s);
    // Expired (not just cancelled): a wait that begins after this completes at once too.
    asio::post(io, [&] { waiter_done.expires_at(steady::time_point::min()); });
  });
  const auto t0 = steady::now();
  ASSERT_TRUE(run_coroutine(io, [&]() -> asio::awaitable<void> {
    EXPECT_FALSE(co_await c.async_flush());  // the queued messages leave in a batch: room
    co_await waiter_done.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    EXPECT_FALSE(c.track(event(3)));
    co_await c.async_close(5s);
  }));
  waiter.join();
  EXPECT_TRUE(room.load());
  EXPECT_LT(steady::now() - t0, 10s);  // woken by the room, not by its 30 s timeout
  EXPECT_EQ(received_messages(server).size(), 4u);
}

TEST(ClientLifecycle, WaitForCapacityEndsWhenTheClientCloses) {
  loopback_server server;
  asio::io_context io;
  auto cfg = test_config(server.url());
  cfg.queue_capacity = 2;
  client c{io, cfg};
  for (int i = 0; i < 2; ++i) EXPECT_FALSE(c.track(event(i)));
  std::promise<bool> woke;
  std::thread waiter([&] { woke.set_value(c.wait_for_capacity(30s)); });
  ASSERT_TRUE(run_coroutine(io, [&]() -> asio::awaitable<void> {
    EXPECT_FALSE(c.wait_for_capacity(30s));  // on the client's own io_context thread: no wait
    co_await c.async_close(5s);
  }));
  auto result = woke.get_future();
  EXPECT_EQ(result.wait_for(10s), std::future_status::ready);
  waiter.join();
  EXPECT_FALSE(result.get());
}

TEST(ClientLifecycle, BulkProducerWaitingForCapacityLosesNothing) {
  loopback_server server;
  asio::io_context io;
  auto cfg = test_config(server.url());
  cfg.queue_capacity = 20;
  cfg.batch_max_messages = 10;
  client c{io, cfg};
  auto guard = asio::make_work_guard(io);
  std::thread runner([&] { io.run(); });
  constexpr int total = 3000;
  int refusals = 0;
  for (int i = 0; i < total; ++i) {
    while (c.track(event(i)) == errc::queue_full) {
      ++refusals;
      ASSERT_TRUE(c.wait_for_capacity(10s));
    }
  }
  std::promise<close_report> done;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> { done.set_value(co_await c.async_close(10s)); }, asio::detached);
  const auto report = done.get_future().get();
  guard.reset();
  runner.join();
  EXPECT_EQ(report.delivered, static_cast<std::uint64_t>(total));
  EXPECT_EQ(received_messages(server).size(), static_cast<std::size_t>(total));
  EXPECT_GT(refusals, 0);  // 3000 messages through a 20-message queue: the producer had to wait
}

TEST(ClientLifecycle, ConcurrentTrackFromEightThreadsLosesNothing) {
  loopback_server server;
  asio::io_context io;
  auto cfg = test_config(server.url());
  cfg.queue_capacity = 100000;
  cfg.batch_max_messages = 500;
  client c{io, cfg};
  constexpr int threads = 8, per_thread = 2000;
  auto guard = asio::make_work_guard(io);
  std::thread runner([&] { io.run(); });  // delivery runs while producers push
  std::vector<std::thread> producers;
  producers.reserve(threads);
  std::atomic<int> refused{0};
  for (int t = 0; t < threads; ++t) {
    producers.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i)
        if (c.track({.user_id = "t" + std::to_string(t), .event = "E", .properties = {{"i", i}}})) ++refused;
    });
  }
  for (auto& p : producers) p.join();
  std::promise<close_report> done;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> { done.set_value(co_await c.async_close(10s)); }, asio::detached);
  auto report = done.get_future().get();
  guard.reset();
  runner.join();
  EXPECT_EQ(refused.load(), 0);
  EXPECT_EQ(report.delivered, static_cast<std::uint64_t>(threads * per_thread));
  auto messages = received_messages(server);
  ASSERT_EQ(messages.size(), static_cast<std::size_t>(threads * per_thread));
  std::set<std::string> ids;
  std::map<std::string, std::set<int>> per_producer;
  for (const auto& m : messages) {
    ids.insert(m["messageId"].get<std::string>());
    per_producer[m["userId"].get<std::string>()].insert(m["properties"]["i"].get<int>());
  }
  EXPECT_EQ(ids.size(), messages.size());
  ASSERT_EQ(per_producer.size(), static_cast<std::size_t>(threads));
  for (const auto& [user, seen] : per_producer) EXPECT_EQ(seen.size(), static_cast<std::size_t>(per_thread)) << user;
}

}  // namespace
}  // namespace flowtrack::test
