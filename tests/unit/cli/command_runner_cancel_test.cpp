// Cancellation wherever it comes from, and the command's error handed back to the CLI.
#include <gtest/gtest.h>

#include <csignal>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include "capturing_sink.hpp"
#include "flowtrack/cli/command_runner.hpp"
#include "flowtrack/cli/interrupts.hpp"
#include "support/temp_dir.hpp"

namespace app {
struct upload_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};
}  // namespace app

namespace flowtrack::test {
namespace {

using namespace std::chrono_literals;

class RunnerCancellation : public ::testing::Test {
 protected:
  // A close deadline far away: a close that ends did so because it was cancelled.
  std::unique_ptr<cli::telemetry> make(const std::string& close_timeout_ms = "600000") {
    cli::telemetry_options o;
    o.app = {"demo", "1"};
    o.state_dir = tmp_.path();
    o.env = cli::fixed_environment({{"DEMO_CLOSE_TIMEOUT_MS", close_timeout_ms}});
    o.sink = sink_;
    return cli::make_telemetry(io_.get_executor(), o);
  }

  cli::command_result run(cli::telemetry& t, std::function<asio::awaitable<int>()> command, cli::runner_options options) {
    cli::command_result result;
    result.exit_code = -1;
    asio::co_spawn(io_, cli::execute_command(t, {"wizard", {}}, std::move(command), std::move(options)),
                   [&](std::exception_ptr e, cli::command_result r) {
                     if (e) std::rethrow_exception(e);
                     result = std::move(r);
                   });
    io_.run_for(10s);
    return result;
  }

  nlohmann::json completed() const {
    for (const auto& e : sink_->events())
      if (e.event == "Command Completed") return e.properties;
    return {};
  }

  temp_dir tmp_{"flowtrack-runner-cancel"};
  asio::io_context io_;
  std::shared_ptr<capturing_sink> sink_ = std::make_shared<capturing_sink>();
  cli::interrupt_watch interrupts_{io_.get_executor()};
};

// A command blocked in a synchronous read: the signal makes the read fail (EINTR), the command
// returns by itself (with any code), and the runner saw the signal: a cancellation.
TEST_F(RunnerCancellation, ASignalSeenWhileTheCommandRanIsACancellationWhateverItReturns) {
  for (int own_code : {cli::exit_cancelled, 1, 0}) {
    sink_ = std::make_shared<capturing_sink>();
    auto t = make("200");
    cli::runner_options options;
    options.interrupts = &interrupts_;
    auto r = run(*t, [&]() -> asio::awaitable<int> {
      std::raise(SIGINT);  // what a Ctrl-C during std::getline amounts to, seen from the runner
      co_return own_code;
    }, options);
    io_.restart();
    EXPECT_EQ(r.exit_code, 130) << own_code;
    EXPECT_TRUE(r.cancelled) << own_code;
    auto c = completed();
    EXPECT_EQ(c["user_cancelled"], true) << own_code;
    EXPECT_EQ(c["exit_code"], 130) << own_code;
    EXPECT_EQ(c["error_class"], "cancelled") << own_code;
    EXPECT_EQ(c["succeeded"], false) << own_code;
  }
}

TEST_F(RunnerCancellation, SigtermCancelsTheCommandWithExit143) {
  auto t = make("200");
  cli::runner_options options;
  options.interrupts = &interrupts_;
  bool finished = false;
  auto r = run(*t, [&]() -> asio::awaitable<int> {
    std::raise(SIGTERM);
    asio::steady_timer long_work(io_, 1h);
    co_await long_work.async_wait(asio::use_awaitable);
    finished = true;
    co_return 0;
  }, options);
  EXPECT_FALSE(finished);
  EXPECT_EQ(r.exit_code, 143);
  EXPECT_EQ(completed()["exit_code"], 143);
  EXPECT_EQ(completed()["user_cancelled"], true);
}

TEST_F(RunnerCancellation, OperationAbortedAnywhereInTheChainIsACancellation) {
  auto t = make("200");
  auto r = run(*t, []() -> asio::awaitable<int> {
    try {
      throw std::system_error(asio::error::operation_aborted);
    } catch (...) {
      std::throw_with_nested(std::runtime_error("while uploading"));
    }
    co_return 0;
  }, {});
  EXPECT_EQ(r.exit_code, 130);
  EXPECT_EQ(completed()["user_cancelled"], true);
  EXPECT_EQ(completed()["error_class"], "cancelled");
}

TEST_F(RunnerCancellation, ReturningExitCancelledIsACancellation) {  // e.g. the user typed "quit"
  auto t = make("200");
  auto r = run(*t, []() -> asio::awaitable<int> { co_return cli::exit_cancelled; }, {});
  EXPECT_EQ(r.exit_code, 130);
  EXPECT_TRUE(r.cancelled);
  EXPECT_EQ(completed()["user_cancelled"], true);
}

// issue 14's runner side: a SIGINT/SIGTERM during the close cancels the close (the sink sees
// its cancellation slot emitted) and the runner returns at once with 130 (143).
TEST_F(RunnerCancellation, ASignalDuringTheCloseCancelsTheClose) {
  for (int sig : {SIGINT, SIGTERM}) {
    sink_ = std::make_shared<capturing_sink>();
    sink_->hang_on_close = true;                   // a close that would take its full 600 s deadline
    sink_->on_close = [sig] { std::raise(sig); };  // the user presses Ctrl-C while it closes
    auto t = make();
    cli::runner_options options;
    options.interrupts = &interrupts_;
    auto r = run(*t, []() -> asio::awaitable<int> { co_return 0; }, options);
    io_.restart();
    EXPECT_EQ(r.exit_code, 128 + sig);
    EXPECT_TRUE(sink_->close_cancelled()) << sig;
    EXPECT_EQ(completed()["succeeded"], true) << sig;  // the command itself succeeded
  }
}

TEST_F(RunnerCancellation, ASignalDuringTheCommandDoesNotCancelTheClose) {
  auto t = make("200");
  cli::runner_options options;
  options.interrupts = &interrupts_;
  auto r = run(*t, [&]() -> asio::awaitable<int> {
    std::raise(SIGINT);
    asio::steady_timer long_work(io_, 1h);
    co_await long_work.async_wait(asio::use_awaitable);
    co_return 0;
  }, options);
  EXPECT_EQ(r.exit_code, 130);
  EXPECT_TRUE(sink_->closed());
  EXPECT_FALSE(sink_->close_cancelled());  // Command Completed was delivered normally
}

TEST_F(RunnerCancellation, TheCommandsErrorIsHandedBack) {
  auto t = make("200");
  auto r = run(*t, []() -> asio::awaitable<int> {
    try {
      throw app::upload_error("bucket refused the upload");
    } catch (...) {
      std::throw_with_nested(std::runtime_error("deploy failed at upload"));
    }
    co_return 0;
  }, {});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_FALSE(r.cancelled);
  EXPECT_EQ(r.error_class, "app::upload_error");
  EXPECT_EQ(completed()["error_class"], r.error_class);
  EXPECT_EQ(r.message(), "deploy failed at upload: bucket refused the upload");
  ASSERT_TRUE(r.error);
  EXPECT_THROW(std::rethrow_exception(r.error), std::runtime_error);
}

TEST_F(RunnerCancellation, ResultOfAPlainExitCode) {
  auto t = make("200");
  auto r = run(*t, []() -> asio::awaitable<int> { co_return 3; }, {});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_FALSE(r.error);
  EXPECT_EQ(r.error_class, "exit_code");
  EXPECT_EQ(r.message(), "exit code 3");
}

TEST_F(RunnerCancellation, OneWatchPerProcess) {
  EXPECT_THROW(cli::interrupt_watch second(io_.get_executor()), std::logic_error);
}

}  // namespace
}  // namespace flowtrack::test
