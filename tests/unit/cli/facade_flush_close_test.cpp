// The facade's async_flush and its duration-based async_close (the client's convention), and
// the runner's close backstop.
#include <gtest/gtest.h>

#include <map>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>

#include "facade_fixture.hpp"
#include "flowtrack/cli/command_runner.hpp"
#include "flowtrack/cli/telemetry.hpp"
#include "flowtrack/error.hpp"

namespace flowtrack::test {
namespace {

using namespace std::chrono_literals;

class FacadeFlushClose : public facade_fixture {
 protected:
  FacadeFlushClose() : facade_fixture("flowtrack-facade") {}

  template <class T>
  T await(asio::awaitable<T> op) {
    T out{};
    bool done = false;
    asio::co_spawn(io_, std::move(op), [&](std::exception_ptr e, T v) {
      if (e) std::rethrow_exception(e);
      out = std::move(v);
      done = true;
    });
    io_.run_for(10s);
    io_.restart();
    EXPECT_TRUE(done);
    return out;
  }
};

TEST_F(FacadeFlushClose, FlushReachesTheSinkAndReturnsItsError) {
  auto t = make();
  ASSERT_FALSE(t->track("A"));
  EXPECT_FALSE(await(t->async_flush()));
  EXPECT_EQ(sink_->flushes(), 1);
  sink_->flush_result = make_error_code(errc::retries_exhausted);
  EXPECT_EQ(await(t->async_flush()), make_error_code(errc::retries_exhausted));
  EXPECT_EQ(sink_->flushes(), 2);
  EXPECT_FALSE(sink_->closed());  // a flush is no close
}

TEST_F(FacadeFlushClose, CloseTakesADurationLikeTheClient) {
  auto t = make();
  ASSERT_FALSE(t->track("A"));
  const close_report r = await(t->async_close(750ms));
  EXPECT_EQ(sink_->close_timeout(), 750ms);  // handed over as is, not re-derived from a clock
  EXPECT_EQ(r.delivered, 1u);
  EXPECT_TRUE(sink_->closed());
}

TEST_F(FacadeFlushClose, TheNoOpFacadeFlushesAndClosesAtOnce) {
  auto t = make({{"DO_NOT_TRACK", "1"}});
  EXPECT_FALSE(await(t->async_flush()));
  EXPECT_EQ(await(t->async_close(1s)).delivered, 0u);
  EXPECT_EQ(sink_->flushes(), 0);
  EXPECT_FALSE(sink_->close_timeout().has_value());
}

TEST_F(FacadeFlushClose, TheRunnerGivesTheCloseTheTelemetrysTimeoutAndBoundsAHangingSinkByTheBackstop) {
  auto t = make({{"DEMO_CLOSE_TIMEOUT_MS", "40"}});
  sink_->hang_on_close = true;  // ignores its timeout: only the backstop ends the wait
  cli::runner_options o;
  o.close_backstop = 10ms;
  const auto started = std::chrono::steady_clock::now();
  const cli::command_result r = await(cli::execute_command(*t, {"deploy", {}}, []() -> asio::awaitable<int> { co_return 0; }, o));
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(sink_->close_timeout(), 40ms);
  EXPECT_LT(took, 2s);             // 50 ms expected; generous for a loaded machine
}

}  // namespace
}  // namespace flowtrack::test
