// async_flush and async_close with completion tokens other than the default use_awaitable:
// callbacks, use_future, deferred, as_tuple, and a cancellation slot bound to a callback.
#include <gtest/gtest.h>

#include <future>
#include <optional>
#include <thread>

#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/deferred.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/use_future.hpp>

#include "client_test_support.hpp"
#include "flowtrack/client.hpp"

namespace flowtrack::test {
namespace {

using namespace std::chrono_literals;
using asio::experimental::as_tuple;

// A loopback server (the test scripts its replies) and an io_context; start() makes the client
// on them once the test has set up what differs. Tests on virtual time emplace clock_ first.
class ClientCompletionTokens : public ::testing::Test {
 protected:
  client& start(config cfg) { return client_.emplace(io_, std::move(cfg)); }
  client& start() { return start(unit_test_config(server_.url())); }

  std::optional<detail::virtual_time> clock_;
  loopback_server server_;
  asio::io_context io_;
  std::optional<client> client_;
};

TEST_F(ClientCompletionTokens, CallbacksGetTheOutcomeOnTheClientsExecutor) {
  client& c = start();
  ASSERT_FALSE(c.track(numbered_event(1)));
  std::optional<std::error_code> flushed;
  std::optional<close_report> closed;
  c.async_flush([&](std::exception_ptr e, std::error_code ec) {
    EXPECT_FALSE(e);
    EXPECT_TRUE(c.get_executor().target<asio::io_context::executor_type>()->running_in_this_thread());
    flushed = ec;
    EXPECT_EQ(received_messages(server_).size(), 1u);  // delivered before the completion
    c.async_close(5s, [&](std::exception_ptr e2, close_report r) {
      EXPECT_FALSE(e2);
      closed = r;
    });
  });
  io_.run_for(10s);  // returns once the close has ended the client's tasks
  ASSERT_TRUE(flushed.has_value());
  EXPECT_EQ(*flushed, std::error_code{});
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->delivered, 1u);
  EXPECT_TRUE(io_.stopped());
}

TEST_F(ClientCompletionTokens, DiagnosticsReachTheCallersObjectBeforeTheCallback) {
  server_.set_fallback(reply::status_code(400));
  client& c = start();
  ASSERT_FALSE(c.track(numbered_event(1)));
  diagnostics why;
  std::optional<std::error_code> flushed;
  c.async_flush(why, [&](std::exception_ptr, std::error_code ec) {
    flushed = ec;
    EXPECT_EQ(why.http_status, 400);
    c.async_close(5s, [](std::exception_ptr, close_report) {});
  });
  io_.run_for(10s);
  ASSERT_TRUE(flushed.has_value());
  EXPECT_EQ(*flushed, errc::http_status);
  EXPECT_EQ(why.last_error, errc::http_status);
}

TEST_F(ClientCompletionTokens, FuturesFromAThreadThatRunsNoEventLoop) {
  server_.script({reply::ok(), reply::status_code(400)});
  auto work = asio::make_work_guard(io_);
  std::thread runner([&] { io_.run(); });
  client& c = start();

  ASSERT_FALSE(c.track(numbered_event(1)));
  std::future<std::error_code> delivered = c.async_flush(asio::use_future);
  ASSERT_EQ(delivered.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(delivered.get(), std::error_code{});

  ASSERT_FALSE(c.track(numbered_event(2)));
  std::future<std::error_code> refused = c.async_flush(asio::use_future);
  ASSERT_EQ(refused.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(refused.get(), errc::http_status);  // an outcome is a value, not an exception

  std::future<close_report> closed = c.async_close(5s, asio::use_future);
  ASSERT_EQ(closed.wait_for(10s), std::future_status::ready);
  const close_report report = closed.get();
  EXPECT_EQ(report.delivered, 1u);
  EXPECT_EQ(report.failed, 1u);
  work.reset();
  runner.join();
}

TEST_F(ClientCompletionTokens, DeferredOperationsStartWhenInvoked) {
  client& c = start();
  ASSERT_FALSE(c.track(numbered_event(1)));
  auto close_later = c.async_close(5s, asio::experimental::deferred);
  auto flush_later = c.async_flush(asio::experimental::deferred);
  io_.poll();
  EXPECT_FALSE(c.track(numbered_event(2)));  // the close has not started: intake is open
  EXPECT_EQ(c.statistics().delivered, 0u);   // nor the flush (the interval is an hour)

  std::optional<std::error_code> flushed;
  std::optional<close_report> closed;
  std::move(flush_later)([&](std::exception_ptr, std::error_code ec) {
    flushed = ec;
    std::move(close_later)([&](std::exception_ptr, close_report r) { closed = r; });
  });
  io_.run_for(10s);
  ASSERT_TRUE(flushed.has_value());
  EXPECT_EQ(*flushed, std::error_code{});
  EXPECT_EQ(received_messages(server_).size(), 2u);
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->delivered, 2u);
  EXPECT_EQ(c.track(numbered_event(3)), errc::closed);
}

TEST_F(ClientCompletionTokens, AsTupleAwaitsWithoutExceptions) {
  server_.set_fallback(reply::status_code(400));
  client& c = start();
  ASSERT_FALSE(c.track(numbered_event(1)));
  std::error_code flushed;
  close_report report;
  ASSERT_TRUE(run_coroutine(io_, [&]() -> asio::awaitable<void> {
    auto [flush_exception, ec] = co_await c.async_flush(as_tuple(asio::use_awaitable));
    EXPECT_FALSE(flush_exception);
    flushed = ec;
    auto [close_exception, r] = co_await c.async_close(5s, as_tuple(asio::use_awaitable));
    EXPECT_FALSE(close_exception);
    report = r;
  }));
  EXPECT_EQ(flushed, errc::http_status);
  EXPECT_EQ(report.failed, 1u);
}

// A slot bound to a callback reaches the close as the default token's coroutine does: terminal
// and partial stop the sending at once (virtual time: the durations are exact), total is ignored.
class ClientCallbackCloseCancellation : public ClientCompletionTokens,
                                         public ::testing::WithParamInterface<asio::cancellation_type> {};

TEST_P(ClientCallbackCloseCancellation, ThroughABoundSlot) {
  clock_.emplace();
  server_.set_fallback(reply::blackhole());
  client& c = start();
  for (int i = 0; i < 3; ++i) ASSERT_FALSE(c.track(numbered_event(i)));
  asio::cancellation_signal cancel;
  std::optional<close_report> report;
  const auto t0 = detail::engine_clock::now();
  detail::engine_timer closed(io_, detail::engine_clock::time_point::max());
  c.async_close(1s, asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr e, close_report r) {
                  EXPECT_FALSE(e);
                  report = r;
                  closed.cancel();
                }));
  ASSERT_TRUE(run_virtual(io_, [&]() -> asio::awaitable<void> {
    detail::engine_timer at_100ms(co_await asio::this_coro::executor, t0 + 100ms);
    co_await at_100ms.async_wait(asio::use_awaitable);
    cancel.emit(GetParam());
    if (!report) co_await closed.async_wait(as_tuple(asio::use_awaitable));
  }));
  ASSERT_TRUE(report.has_value());
  if (GetParam() == asio::cancellation_type::total) {
    EXPECT_FALSE(report->cancelled);
    EXPECT_TRUE(report->deadline_reached);
    EXPECT_GE(report->elapsed, 1s);
  } else {
    EXPECT_TRUE(report->cancelled);
    EXPECT_FALSE(report->deadline_reached);
    EXPECT_GE(report->elapsed, 100ms);
    EXPECT_LE(report->elapsed, 150ms);
  }
  EXPECT_EQ(report->pending, 3u);
}

INSTANTIATE_TEST_SUITE_P(EachType, ClientCallbackCloseCancellation,
                         ::testing::Values(asio::cancellation_type::terminal, asio::cancellation_type::partial,
                                           asio::cancellation_type::total),
                         [](const auto& info) {
                           switch (info.param) {
                             case asio::cancellation_type::terminal: return "Terminal";
                             case asio::cancellation_type::partial: return "Partial";
                             default: return "Total";
                           }
                         });

TEST_F(ClientCompletionTokens, TerminalCancellationOfAFlushAbandonsTheWaitNotTheDelivery) {
  clock_.emplace();
  server_.script({reply::status_code(503)});  // the first attempt fails, the retry is delivered
  auto cfg = unit_test_config(server_.url());
  cfg.retry.base_delay = 500ms;
  cfg.retry.max_delay = 500ms;
  cfg.retry.jitter = 0;
  client& c = start(cfg);
  ASSERT_FALSE(c.track(numbered_event(1)));
  asio::cancellation_signal cancel;
  std::exception_ptr abandoned;
  bool completed = false;
  detail::engine_timer flush_ended(io_, detail::engine_clock::time_point::max());
  c.async_flush(asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr e, std::error_code) {
    abandoned = e;
    completed = true;
    flush_ended.cancel();
  }));
  close_report report;
  ASSERT_TRUE(run_virtual(io_, [&]() -> asio::awaitable<void> {
    const auto t0 = detail::engine_clock::now();
    detail::engine_timer later(co_await asio::this_coro::executor, t0 + 100ms);
    co_await later.async_wait(asio::use_awaitable);  // the retry waits until 500 ms
    cancel.emit(asio::cancellation_type::partial);    // ignored
    later.expires_at(t0 + 200ms);
    co_await later.async_wait(asio::use_awaitable);
    EXPECT_FALSE(completed);
    cancel.emit(asio::cancellation_type::terminal);
    if (!completed) co_await flush_ended.async_wait(as_tuple(asio::use_awaitable));
    EXPECT_TRUE(completed);
    EXPECT_LT(detail::engine_clock::now() - t0, 500ms);  // at once, not at the retry
    EXPECT_EQ(c.statistics().delivered, 0u);
    report = co_await c.async_close(5s);
  }));
  ASSERT_TRUE(abandoned);
  try {
    std::rethrow_exception(abandoned);
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), asio::error::operation_aborted);
  }
  EXPECT_EQ(report.delivered, 1u);  // the delivery went on
}

}  // namespace
}  // namespace flowtrack::test
