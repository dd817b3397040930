#include "flowtrack/cli/command_runner.hpp"

#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include "flowtrack/cli/error_class.hpp"
#include "flowtrack/cli/events.hpp"

namespace flowtrack::cli {
namespace {

using namespace asio::experimental::awaitable_operators;

struct outcome {
  int exit_code = 0;
  std::exception_ptr error;
  bool cancelled = false;
};

bool is_cancellation(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::system_error& se) {
    return se.code() == asio::error::operation_aborted || se.code() == std::errc::operation_canceled;
  } catch (...) {
    return false;
  }
}

// Runs the command and reports how it ended as a value: raced branches must not throw (a
// throwing branch never wins `||`).
asio::awaitable<outcome> run_guarded(const std::function<asio::awaitable<int>()>& command) {
  outcome o;
  try {
    o.exit_code = co_await command();
  } catch (...) {
    o.error = std::current_exception();
    o.cancelled = is_cancellation(o.error);
    o.exit_code = o.cancelled ? exit_cancelled : 1;
  }
  co_return o;
}

asio::awaitable<void> guarded(std::function<asio::awaitable<void>()> f) {
  try {
    co_await f();
  } catch (...) {  // a failing cancellation source or after-hook must not break the runner
  }
}

asio::awaitable<void> wait_until(std::chrono::steady_clock::time_point deadline) {
  asio::steady_timer t(co_await asio::this_coro::executor, deadline);
  co_await t.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
}

asio::awaitable<void> close_quietly(telemetry& t, std::chrono::steady_clock::time_point deadline,
                                    const std::function<void(const close_report&)>& closed) {
  try {
    auto report = co_await t.async_close(deadline);
    if (closed) closed(report);
  } catch (...) {
  }
}

}  // namespace

asio::awaitable<int> run_command(telemetry& t, command_invocation invocation,
                                 std::function<asio::awaitable<int>()> command, runner_options options) {
  auto now = options.clock ? options.clock : runner_options::clock_fn([] { return std::chrono::steady_clock::now(); });
  t.track(event::command_invoked, {{"command", invocation.path}, {"flags", invocation.flag_names}});

  const auto started = now();
  outcome result;
  if (options.cancellation) {
    auto raced = co_await (run_guarded(command) || guarded(options.cancellation));
    if (raced.index() == 0) {
      result = std::get<0>(std::move(raced));
    } else {
      result.cancelled = true;
      result.exit_code = exit_cancelled;
    }
  } else {
    result = co_await run_guarded(command);
  }
  // Measured right after the command: nothing later (update check, close) is counted.
  const auto duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now() - started).count();

  const bool succeeded = result.exit_code == 0 && !result.error && !result.cancelled;
  nlohmann::json completed = {{"command", invocation.path},
                              {"succeeded", succeeded},
                              {"exit_code", result.exit_code},
                              {"duration_ms", duration_ms}};
  if (!succeeded) {
    completed["user_cancelled"] = result.cancelled;
    if (result.cancelled) completed["error_class"] = "cancelled";
    else if (result.error) completed["error_class"] = error_class(result.error);
    else completed["error_class"] = "exit_code";
  }
  t.track(event::command_completed, std::move(completed));

  // The after-hook and the close run together, under one deadline.
  const auto deadline = std::chrono::steady_clock::now() + t.close_timeout();
  // The close completes by the deadline itself; the timer (a little later) only guards against
  // a sink that would not.
  const auto backstop = deadline + std::chrono::milliseconds(20);
  if (options.after) {
    auto after = [&]() -> asio::awaitable<void> { co_await options.after(result.exit_code); };
    co_await ((guarded(after) || wait_until(deadline)) && (close_quietly(t, deadline, options.closed) || wait_until(backstop)));
  } else {
    co_await (close_quietly(t, deadline, options.closed) || wait_until(backstop));
  }
  co_return result.exit_code;
}

}  // namespace flowtrack::cli
