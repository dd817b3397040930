#include "flowtrack/cli/command_runner.hpp"

#include <gtest/gtest.h>

#include <csignal>

#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>

#include "capturing_sink.hpp"
#include "support/temp_dir.hpp"
#include "support/virtual_driver.hpp"

namespace app {
struct upload_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};
}  // namespace app

namespace flowtrack::test {
namespace {

using namespace std::chrono_literals;

class CommandRunner : public ::testing::Test {
 protected:
  std::unique_ptr<cli::telemetry> make(std::map<std::string, std::string> env = {{"DEMO_CLOSE_TIMEOUT_MS", "200"}}) {
    cli::telemetry_options o;
    o.app = {"demo", "1"};
    o.state_dir = tmp_.path();
    o.env = cli::fixed_environment(std::move(env));
    o.sink = sink_;
    o.notice.enabled = false;  // the first-run notice has tests of its own
    return cli::make_telemetry(io_.get_executor(), o);
  }

  int run(cli::telemetry& t, std::function<asio::awaitable<int>()> command, cli::runner_options options = {}) {
    int exit_code = -1;
    asio::co_spawn(io_, cli::run_command(t, {"deploy", {"--fail-at", "--verbose"}}, std::move(command), std::move(options)),
                   [&](std::exception_ptr e, int code) {
                     if (e) std::rethrow_exception(e);
                     exit_code = code;
                   });
    drive();
    return exit_code;
  }

  cli::command_result execute(cli::telemetry& t, std::function<asio::awaitable<int>()> command,
                              cli::runner_options options = {}) {
    cli::command_result out;
    out.exit_code = -1;
    asio::co_spawn(io_, cli::execute_command(t, {"deploy", {}}, std::move(command), std::move(options)),
                   [&](std::exception_ptr e, cli::command_result r) {
                     if (e) std::rethrow_exception(e);
                     out = std::move(r);
                   });
    drive();
    return out;
  }

  // Until the io_context runs out of work, on virtual time: the runner's deadlines and the
  // tests' timers are engine timers, so durations are exact and nothing waits real time.
  void drive() { ASSERT_TRUE(drive_virtual(io_, [] { return false; })); }

  detail::virtual_time virtual_clock_;
  temp_dir tmp_{"flowtrack-runner"};
  asio::io_context io_;
  std::shared_ptr<capturing_sink> sink_ = std::make_shared<capturing_sink>();
};

TEST_F(CommandRunner, NothingIsSentWhenPreRunDidNotProceed) {
  struct row {
    cli::pre_run_outcome outcome;
    int exit_code;
  };
  const row rows[] = {{cli::pre_run_outcome::help_shown, 0},
                      {cli::pre_run_outcome::version_shown, 0},
                      {cli::pre_run_outcome::usage_error, 2},
                      {cli::pre_run_outcome::auth_refused, 1}};
  for (const auto& r : rows) {
    sink_ = std::make_shared<capturing_sink>();
    auto t = make();
    bool command_ran = false, after_ran = false;
    cli::runner_options options;
    options.after = [&](int) -> asio::awaitable<void> {
      after_ran = true;
      co_return;
    };
    int exit_code = -1;
    asio::co_spawn(io_,
                   cli::run_command(*t, {"deploy", {"--bogus"}}, {r.outcome, r.exit_code},
                                    [&]() -> asio::awaitable<int> {
                                      command_ran = true;
                                      co_return 0;
                                    },
                                    options),
                   [&](std::exception_ptr e, int code) {
                     if (e) std::rethrow_exception(e);
                     exit_code = code;
                   });
    drive();
    io_.restart();
    EXPECT_EQ(exit_code, r.exit_code) << cli::to_string(r.outcome);
    EXPECT_FALSE(command_ran) << cli::to_string(r.outcome);
    EXPECT_FALSE(after_ran) << cli::to_string(r.outcome);
    EXPECT_TRUE(sink_->events().empty()) << cli::to_string(r.outcome);  // neither Invoked nor Completed
    EXPECT_TRUE(sink_->closed()) << cli::to_string(r.outcome);
  }
}

TEST_F(CommandRunner, ProceedingPreRunRunsTheCommand) {
  auto t = make();
  int exit_code = -1;
  asio::co_spawn(io_,
                 cli::run_command(*t, {"deploy", {}}, {cli::pre_run_outcome::proceed, 0},
                                  []() -> asio::awaitable<int> { co_return 4; }),
                 [&](std::exception_ptr, int code) { exit_code = code; });
  drive();
  EXPECT_EQ(exit_code, 4);
  auto events = sink_->events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].event, "Command Invoked");
  EXPECT_EQ(events[1].properties["exit_code"], 4);
}

TEST_F(CommandRunner, SuccessSendsInvokedThenCompleted) {
  auto t = make();
  EXPECT_EQ(run(*t, []() -> asio::awaitable<int> { co_return 0; }), 0);
  auto events = sink_->events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].event, "Command Invoked");
  EXPECT_EQ(events[0].properties["command"], "deploy");
  EXPECT_EQ(events[0].properties["flags"], nlohmann::json({"--fail-at", "--verbose"}));
  EXPECT_EQ(events[1].event, "Command Completed");
  const auto& p = events[1].properties;
  EXPECT_EQ(p["succeeded"], true);
  EXPECT_EQ(p["exit_code"], 0);
  EXPECT_TRUE(p["duration_ms"].is_number_integer());
  EXPECT_FALSE(p.contains("error_class"));
  EXPECT_FALSE(p.contains("user_cancelled"));
  EXPECT_GT(p["sequence"].get<int>(), events[0].properties["sequence"].get<int>());
  EXPECT_EQ(p["invocation_id"], events[0].properties["invocation_id"]);
  EXPECT_TRUE(sink_->closed());
}

TEST_F(CommandRunner, ThrownErrorBecomesErrorClassAndExitCodeOne) {
  auto t = make();
  EXPECT_EQ(run(*t, []() -> asio::awaitable<int> { throw app::upload_error("bucket s3://secret denied"); }), 1);
  auto completed = sink_->events().at(1).properties;
  EXPECT_EQ(completed["succeeded"], false);
  EXPECT_EQ(completed["exit_code"], 1);
  EXPECT_EQ(completed["error_class"], "app::upload_error");
  EXPECT_EQ(completed["user_cancelled"], false);
  EXPECT_EQ(completed.dump().find("secret"), std::string::npos);
}

TEST_F(CommandRunner, NonZeroExitIsAFailure) {
  auto t = make();
  EXPECT_EQ(run(*t, []() -> asio::awaitable<int> { co_return 3; }), 3);
  auto completed = sink_->events().at(1).properties;
  EXPECT_EQ(completed["succeeded"], false);
  EXPECT_EQ(completed["exit_code"], 3);
  EXPECT_EQ(completed["error_class"], "exit_code");
}

TEST_F(CommandRunner, CancellationStopsTheCommandAndIsReported) {
  auto t = make();
  bool command_finished = false;
  cli::runner_options options;
  options.cancellation = [&]() -> asio::awaitable<void> {  // the "user" presses Ctrl-C after 20 ms
    detail::engine_timer ctrl_c(io_, 20ms);
    co_await ctrl_c.async_wait(asio::use_awaitable);
  };
  const auto start = detail::engine_clock::now();
  const int code = run(*t, [&]() -> asio::awaitable<int> {
    detail::engine_timer long_work(io_, 1h);
    co_await long_work.async_wait(asio::use_awaitable);
    command_finished = true;
    co_return 0;
  }, options);
  EXPECT_EQ(code, cli::exit_cancelled);
  EXPECT_FALSE(command_finished);
  EXPECT_LT(detail::engine_clock::now() - start, 1s);
  auto completed = sink_->events().at(1).properties;
  EXPECT_EQ(completed["user_cancelled"], true);
  EXPECT_EQ(completed["exit_code"], 130);
  EXPECT_EQ(completed["succeeded"], false);
  EXPECT_EQ(completed["error_class"], "cancelled");
}

TEST_F(CommandRunner, CommandAbortedByAsioCountsAsCancelled) {
  auto t = make();
  EXPECT_EQ(run(*t, []() -> asio::awaitable<int> { throw std::system_error(asio::error::operation_aborted); }),
            cli::exit_cancelled);
  EXPECT_EQ(sink_->events().at(1).properties["user_cancelled"], true);
}

TEST_F(CommandRunner, DurationExcludesTheAfterHook) {
  auto t = make();
  auto now = std::chrono::steady_clock::time_point{} + 1h;
  cli::runner_options options;
  options.clock = [&] { return now; };
  bool after_ran = false;
  options.after = [&](int) -> asio::awaitable<void> {
    now += 5s;  // e.g. a slow update check
    after_ran = true;
    co_return;
  };
  EXPECT_EQ(run(*t, [&]() -> asio::awaitable<int> {
    now += 42ms;  // the command's own work
    co_return 0;
  }, options), 0);
  EXPECT_TRUE(after_ran);
  EXPECT_EQ(sink_->events().at(1).properties["duration_ms"], 42);
}

TEST_F(CommandRunner, PostAndCloseShareOneDeadline) {
  auto t = make();  // close timeout 200 ms
  sink_->hang_on_close = true;
  cli::runner_options options;
  options.after = [&](int) -> asio::awaitable<void> {  // an after-hook that would take an hour
    detail::engine_timer slow(io_, 1h);
    co_await slow.async_wait(asio::use_awaitable);
  };
  const auto start = detail::engine_clock::now();
  EXPECT_EQ(run(*t, []() -> asio::awaitable<int> { co_return 0; }, options), 0);
  const auto took = detail::engine_clock::now() - start;
  EXPECT_GE(took, 200ms);
  EXPECT_LE(took, 200ms + cli::runner_options{}.close_backstop + 2ms);  // virtual time: exact up to a step
  EXPECT_TRUE(io_.stopped());  // nothing outlives the deadline
}

TEST_F(CommandRunner, AFailingCancellationSourceIsNoCancellation) {
  auto t = make();
  cli::runner_options options;
  options.cancellation = []() -> asio::awaitable<void> {
    throw std::system_error(std::make_error_code(std::errc::bad_file_descriptor));
    co_return;
  };
  EXPECT_EQ(run(*t, [&]() -> asio::awaitable<int> {
    detail::engine_timer work(io_, 20ms);
    co_await work.async_wait(asio::use_awaitable);
    co_return 0;
  }, options), 0);
  auto completed = sink_->events().at(1).properties;
  EXPECT_EQ(completed["succeeded"], true);
  EXPECT_FALSE(completed.contains("user_cancelled"));
}

TEST_F(CommandRunner, SigintThroughASignalSetCancelsTheCommand) {
  auto t = make();
  asio::signal_set sigint(io_, SIGINT);  // registered first: the raise below reaches it
  cli::runner_options options;
  options.cancellation = cli::cancel_on_signal(sigint);
  bool command_finished = false;
  const auto start = detail::engine_clock::now();
  const int code = run(*t, [&]() -> asio::awaitable<int> {
    std::raise(SIGINT);  // the user presses Ctrl-C while the command works
    detail::engine_timer long_work(io_, 1h);
    co_await long_work.async_wait(asio::use_awaitable);
    command_finished = true;
    co_return 0;
  }, options);
  EXPECT_EQ(code, cli::exit_cancelled);
  EXPECT_FALSE(command_finished);
  EXPECT_LT(detail::engine_clock::now() - start, 1s);
  auto events = sink_->events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].properties["user_cancelled"], true);
  EXPECT_TRUE(sink_->closed());
}

TEST_F(CommandRunner, ACancelledSignalSetIsNoCancellation) {
  auto t = make();
  asio::signal_set sigint(io_, SIGINT);
  cli::runner_options options;
  options.cancellation = cli::cancel_on_signal(sigint);
  EXPECT_EQ(run(*t, [&]() -> asio::awaitable<int> {
    sigint.cancel();  // e.g. the app stops listening for Ctrl-C
    detail::engine_timer work(io_, 20ms);
    co_await work.async_wait(asio::use_awaitable);
    co_return 0;
  }, options), 0);
  EXPECT_EQ(sink_->events().at(1).properties["succeeded"], true);
}

TEST_F(CommandRunner, CancellingTheRunnerCancelsTheCommandThenStillPostsAndCloses) {
  auto t = make();
  asio::cancellation_signal stop;
  detail::engine_timer stop_soon(io_, 20ms);
  stop_soon.async_wait([&](std::error_code) { stop.emit(asio::cancellation_type::terminal); });
  int exit_code = -1;
  const auto start = detail::engine_clock::now();
  asio::co_spawn(io_,
                 cli::run_command(*t, {"deploy", {}},
                                  [&]() -> asio::awaitable<int> {
                                    detail::engine_timer long_work(io_, 1h);
                                    co_await long_work.async_wait(asio::use_awaitable);
                                    co_return 0;
                                  }),
                 asio::bind_cancellation_slot(stop.slot(), [&](std::exception_ptr e, int code) {
                   if (e) std::rethrow_exception(e);
                   exit_code = code;
                 }));
  drive();
  EXPECT_EQ(exit_code, cli::exit_cancelled);
  EXPECT_LT(detail::engine_clock::now() - start, 1s);
  auto events = sink_->events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].properties["user_cancelled"], true);
  EXPECT_TRUE(sink_->closed());
}

TEST_F(CommandRunner, TheAfterHookRunsWhenTelemetryIsOff) {
  auto t = make({{"DO_NOT_TRACK", "1"}, {"DEMO_CLOSE_TIMEOUT_MS", "200"}});
  ASSERT_FALSE(t->enabled());
  bool after_done = false;
  cli::runner_options options;
  options.after = [&](int) -> asio::awaitable<void> {  // e.g. an update check taking 20 ms
    detail::engine_timer check(io_, 20ms);
    co_await check.async_wait(asio::use_awaitable);
    after_done = true;
  };
  EXPECT_EQ(run(*t, []() -> asio::awaitable<int> { co_return 0; }, options), 0);
  EXPECT_TRUE(after_done);
}

TEST_F(CommandRunner, DisabledTelemetrySendsNothingButRunsTheCommand) {
  auto t = make({{"DO_NOT_TRACK", "1"}});
  bool ran = false;
  EXPECT_EQ(run(*t, [&]() -> asio::awaitable<int> {
    ran = true;
    co_return 0;
  }), 0);
  EXPECT_TRUE(ran);
  EXPECT_TRUE(sink_->events().empty());
}

TEST_F(CommandRunner, TheErrorIsHandedBackAfterItsClassWasRecorded) {
  auto t = make();
  const auto r = execute(*t, []() -> asio::awaitable<int> { throw app::upload_error("bucket s3://web denied"); });
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_FALSE(r.succeeded());
  EXPECT_FALSE(r.user_cancelled);
  EXPECT_EQ(r.error_class, "app::upload_error");
  EXPECT_EQ(r.message, "bucket s3://web denied");  // for the terminal...
  ASSERT_TRUE(r.error);
  EXPECT_THROW(std::rethrow_exception(r.error), app::upload_error);
  auto completed = sink_->events().at(1).properties;
  EXPECT_EQ(completed["error_class"], "app::upload_error");
  EXPECT_EQ(completed.dump().find("s3://web"), std::string::npos);  // ...never in the event
}

TEST_F(CommandRunner, ASystemErrorIsHandedBackWithItsCode) {
  auto t = make();
  const auto r = execute(*t, []() -> asio::awaitable<int> {
    throw std::system_error(std::make_error_code(std::errc::permission_denied), "writing credentials");
  });
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.code, std::errc::permission_denied);
  EXPECT_EQ(r.error_class, "generic:EACCES");
  EXPECT_NE(r.message.find("writing credentials"), std::string::npos);
}

TEST_F(CommandRunner, SuccessAndAReturnedCodeCarryNoError) {
  auto t = make();
  const auto ok = execute(*t, []() -> asio::awaitable<int> { co_return 0; });
  EXPECT_TRUE(ok.succeeded());
  EXPECT_FALSE(ok.error);
  EXPECT_TRUE(ok.error_class.empty());
  io_.restart();
  sink_ = std::make_shared<capturing_sink>();
  auto t2 = make();
  const auto three = execute(*t2, []() -> asio::awaitable<int> { co_return 3; });
  EXPECT_EQ(three.exit_code, 3);
  EXPECT_FALSE(three.error);
  EXPECT_EQ(three.error_class, "exit_code");
}

// A command blocked in a synchronous read when Ctrl-C comes: the read fails (EINTR) and the
// command returns 130 at once, before the runner's signal wait has run. The runner still sees
// the signal and reports a cancellation.
TEST_F(CommandRunner, ACommandReturning130OnTheSignalItselfIsCancelled) {
  auto t = make();
  asio::signal_set sigint(io_, SIGINT);
  cli::runner_options options;
  options.cancellation = cli::cancel_on_signal(sigint);
  const auto r = execute(*t, []() -> asio::awaitable<int> {
    std::raise(SIGINT);  // delivered to Asio's handler; nothing has read it yet
    co_return cli::exit_cancelled;
  }, options);
  EXPECT_EQ(r.exit_code, cli::exit_cancelled);
  EXPECT_TRUE(r.user_cancelled);
  EXPECT_EQ(r.error_class, "cancelled");
  auto completed = sink_->events().at(1).properties;
  EXPECT_EQ(completed["user_cancelled"], true);
  EXPECT_EQ(completed["error_class"], "cancelled");
}

TEST_F(CommandRunner, A130WithoutAnySignalIsAnOrdinaryExitCode) {
  auto t = make();
  asio::signal_set sigint(io_, SIGINT);
  cli::runner_options options;
  options.cancellation = cli::cancel_on_signal(sigint);
  options.cancel_grace = 1ms;
  const auto r = execute(*t, []() -> asio::awaitable<int> { co_return cli::exit_cancelled; }, options);
  EXPECT_EQ(r.exit_code, cli::exit_cancelled);
  EXPECT_FALSE(r.user_cancelled);
  EXPECT_EQ(sink_->events().at(1).properties["error_class"], "exit_code");
}

}  // namespace
}  // namespace flowtrack::test
