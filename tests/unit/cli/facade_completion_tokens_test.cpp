// The CLI facade's async_flush and async_close with completion tokens other than the default:
// callbacks, use_future, deferred and as_tuple, for the real facade and the no-op one.
#include <gtest/gtest.h>

#include <future>
#include <map>
#include <optional>
#include <thread>

#include <asio/bind_cancellation_slot.hpp>
#include <asio/bind_executor.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/deferred.hpp>
#include <asio/io_context.hpp>
#include <asio/use_future.hpp>

#include "facade_fixture.hpp"
#include "flowtrack/cli/telemetry.hpp"
#include "flowtrack/error.hpp"

namespace flowtrack::test {
namespace {

using namespace std::chrono_literals;

class FacadeCompletionTokens : public facade_fixture {
 protected:
  FacadeCompletionTokens() : facade_fixture("flowtrack-facade-tokens") {}
};

TEST_F(FacadeCompletionTokens, Callbacks) {
  auto t = make();
  ASSERT_FALSE(t->track("A"));
  sink_->flush_result = make_error_code(errc::retries_exhausted);
  std::optional<std::error_code> flushed;
  std::optional<close_report> closed;
  t->async_flush([&](std::exception_ptr e, std::error_code ec) {
    EXPECT_FALSE(e);
    flushed = ec;
    t->async_close(750ms, [&](std::exception_ptr e2, close_report r) {
      EXPECT_FALSE(e2);
      closed = r;
    });
  });
  io_.run_for(10s);
  ASSERT_TRUE(flushed.has_value());
  EXPECT_EQ(*flushed, errc::retries_exhausted);
  EXPECT_EQ(sink_->flushes(), 1);
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->delivered, 1u);
  EXPECT_EQ(sink_->close_timeout(), 750ms);
}

TEST_F(FacadeCompletionTokens, FuturesWhileAnotherThreadRunsTheExecutor) {
  auto t = make();
  ASSERT_FALSE(t->track("A"));
  auto work = asio::make_work_guard(io_);
  std::thread runner([&] { io_.run(); });
  std::future<std::error_code> flushed = t->async_flush(asio::use_future);
  ASSERT_EQ(flushed.wait_for(10s), std::future_status::ready);
  EXPECT_FALSE(flushed.get());
  std::future<close_report> closed = t->async_close(1s, asio::use_future);
  ASSERT_EQ(closed.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(closed.get().delivered, 1u);
  work.reset();
  runner.join();
}

TEST_F(FacadeCompletionTokens, DeferredStartsWhenInvokedAndAsTupleAwaitsWithoutExceptions) {
  auto t = make();
  ASSERT_FALSE(t->track("A"));
  auto close_later = t->async_close(500ms, asio::experimental::deferred);
  auto flush_later = t->async_flush(asio::experimental::deferred);
  io_.poll();
  io_.restart();  // out of work: poll() stopped it
  EXPECT_EQ(sink_->flushes(), 0);
  EXPECT_FALSE(sink_->close_timeout().has_value());
  bool done = false;
  asio::co_spawn(io_, [&]() -> asio::awaitable<void> {
    auto [flush_exception, ec] = co_await std::move(flush_later)(asio::experimental::as_tuple(asio::use_awaitable));
    EXPECT_FALSE(flush_exception);
    EXPECT_FALSE(ec);
    auto [close_exception, report] = co_await std::move(close_later)(asio::experimental::as_tuple(asio::use_awaitable));
    EXPECT_FALSE(close_exception);
    EXPECT_EQ(report.delivered, 1u);
    done = true;
  }, [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  });
  io_.run_for(10s);
  EXPECT_TRUE(done);
  EXPECT_EQ(sink_->flushes(), 1);
  EXPECT_EQ(sink_->close_timeout(), 500ms);
}

// A sink whose close hangs: the slot bound to the callback cancels it, as the runner's backstop
// cancels the default token's coroutine.
TEST_F(FacadeCompletionTokens, ABoundSlotCancelsTheClose) {
  sink_->hang_on_close = true;
  auto t = make();
  asio::cancellation_signal cancel;
  bool completed = false;
  t->async_close(1s, asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr, close_report) {
                   completed = true;
                 }));
  io_.poll();
  EXPECT_FALSE(completed);
  cancel.emit(asio::cancellation_type::terminal);
  io_.run_for(10s);
  EXPECT_TRUE(completed);
}

TEST_F(FacadeCompletionTokens, TheNoOpFacadeCompletesEveryTokenAtOnce) {
  auto t = make({{"DO_NOT_TRACK", "1"}});
  std::future<std::error_code> flushed = t->async_flush(asio::use_future);  // no executor of its own
  ASSERT_EQ(flushed.wait_for(10s), std::future_status::ready);
  EXPECT_FALSE(flushed.get());
  std::optional<close_report> closed;
  t->async_close(1s, asio::bind_executor(io_, [&](std::exception_ptr, close_report r) { closed = r; }));
  io_.run_for(10s);
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->delivered, 0u);
  EXPECT_EQ(sink_->flushes(), 0);
  EXPECT_FALSE(sink_->close_timeout().has_value());
}

}  // namespace
}  // namespace flowtrack::test
