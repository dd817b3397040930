#include "flowtrack/cli/command_runner.hpp"

#include <algorithm>

#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include "common/engine_clock.hpp"
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
  } catch (...) {  // a failing after-hook must not break the runner
  }
}

// Completes only when `source` reports a cancellation request (and then sets `requested`, even
// when it loses the race to a command that stopped first because of the same signal). A
// source that throws requested nothing: then this waits until the `||` it is raced in cancels
// it (the command finished).
asio::awaitable<void> cancellation_request(const std::function<asio::awaitable<void>()>& source, bool& requested) {
  try {
    co_await source();
    requested = true;
    co_return;
  } catch (...) {
  }
  if ((co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none) co_return;
  flowtrack::detail::engine_timer never(co_await asio::this_coro::executor, flowtrack::detail::engine_clock::time_point::max());
  co_await never.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
}

// On the engine clock (common/engine_clock.hpp): steady_clock, or virtual time in tests.
asio::awaitable<void> wait_until(flowtrack::detail::engine_clock::time_point deadline) {
  flowtrack::detail::engine_timer t(co_await asio::this_coro::executor, deadline);
  co_await t.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
}

asio::awaitable<void> close_quietly(telemetry& t, std::chrono::milliseconds timeout,
                                    const std::function<void(const close_report&)>& closed) {
  try {
    auto report = co_await t.async_close(timeout);
    if (closed) closed(report);
  } catch (...) {
  }
}

// Closes the telemetry (and runs the after-hook, if any) under one deadline.
asio::awaitable<void> finish(telemetry& t, const runner_options& options, std::function<asio::awaitable<void>()> after) {
  const auto timeout = t.close_timeout();
  const auto deadline = flowtrack::detail::engine_clock::now() + timeout;
  // The close completes by the deadline itself; the backstop (a little later) only guards
  // against a sink that would not, and cancels it (the client then spools what is left).
  const auto backstop = deadline + std::max(options.close_backstop, std::chrono::milliseconds(0));
  if (after) {
    co_await ((guarded(std::move(after)) || wait_until(deadline)) &&
              (close_quietly(t, timeout, options.closed) || wait_until(backstop)));
  } else {
    co_await (close_quietly(t, timeout, options.closed) || wait_until(backstop));
  }
}

// The error, as the CLI shows it: its code and what().
void describe_error(command_result& r) {
  if (!r.error) return;
  try {
    std::rethrow_exception(r.error);
  } catch (const std::system_error& e) {
    r.code = e.code();
    r.message = e.what();
  } catch (const std::exception& e) {
    r.message = e.what();
  } catch (...) {
  }
}

}  // namespace

asio::awaitable<command_result> execute_command(telemetry& t, command_invocation invocation,
                                                std::function<asio::awaitable<int>()> command,
                                                runner_options options) {
  auto now = options.clock ? options.clock : runner_options::clock_fn([] { return flowtrack::detail::engine_clock::now(); });
  t.track(event::command_invoked, {{"command", invocation.path}, {"flags", invocation.flag_names}});

  const auto started = now();
  outcome result;
  bool requested = false;  // the cancellation source completed (the user asked to cancel)
  if (options.cancellation) {
    auto raced = co_await (run_guarded(command) || cancellation_request(options.cancellation, requested));
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
  // If the runner itself was cancelled (that stopped the command), still post and close.
  co_await asio::this_coro::reset_cancellation_state();
  // A command that stopped on the signal by itself (e.g. a blocking read that failed with
  // EINTR) returns 130 before the runner's wait could see the signal: it is delivered but not
  // yet read. Ask the source once more, briefly; a signal already delivered completes at once.
  if (!result.cancelled && result.exit_code == exit_cancelled && options.cancellation && !requested) {
    const auto grace = flowtrack::detail::engine_clock::now() + std::max(options.cancel_grace, std::chrono::milliseconds(0));
    co_await (cancellation_request(options.cancellation, requested) || wait_until(grace));
  }
  if (requested && result.exit_code == exit_cancelled) result.cancelled = true;

  command_result r;
  r.exit_code = result.exit_code;
  r.user_cancelled = result.cancelled;
  r.error = result.error;
  describe_error(r);
  const bool succeeded = r.succeeded();
  nlohmann::json completed = {{"command", invocation.path},
                              {"succeeded", succeeded},
                              {"exit_code", result.exit_code},
                              {"duration_ms", duration_ms}};
  if (!succeeded) {
    if (result.cancelled) r.error_class = "cancelled";
    else if (result.error) r.error_class = error_class(result.error);
    else r.error_class = "exit_code";
    completed["user_cancelled"] = result.cancelled;
    completed["error_class"] = r.error_class;
  }
  t.track(event::command_completed, std::move(completed));

  std::function<asio::awaitable<void>()> after;
  if (options.after) {
    after = [&options, code = result.exit_code]() -> asio::awaitable<void> { co_await options.after(code); };
  }
  co_await finish(t, options, std::move(after));
  co_return r;
}

asio::awaitable<command_result> execute_command(telemetry& t, command_invocation invocation, pre_run_result pre_run,
                                                std::function<asio::awaitable<int>()> command,
                                                runner_options options) {
  if (pre_run.outcome == pre_run_outcome::proceed) {
    co_return co_await execute_command(t, std::move(invocation), std::move(command), std::move(options));
  }
  // Nothing started: no event. Still close, so a client replaying an old spool stops in time.
  std::function<asio::awaitable<void>()> no_after;  // hoisted: no braced list next to co_await (g++ 12)
  co_await finish(t, options, std::move(no_after));
  command_result r;
  r.exit_code = pre_run.exit_code;
  co_return r;
}

asio::awaitable<int> run_command(telemetry& t, command_invocation invocation,
                                 std::function<asio::awaitable<int>()> command, runner_options options) {
  const command_result r = co_await execute_command(t, std::move(invocation), std::move(command), std::move(options));
  co_return r.exit_code;
}

asio::awaitable<int> run_command(telemetry& t, command_invocation invocation, pre_run_result pre_run,
                                 std::function<asio::awaitable<int>()> command, runner_options options) {
  const command_result r =
      co_await execute_command(t, std::move(invocation), pre_run, std::move(command), std::move(options));
  co_return r.exit_code;
}

std::function<asio::awaitable<void>()> cancel_on_signal(asio::signal_set& signals) {
  return [&signals]() -> asio::awaitable<void> {
    auto [ec, signal] = co_await signals.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    (void)signal;
    // The set was cancelled or failed: that is no request to cancel the command.
    if (ec) throw std::system_error(ec);
  };
}

}  // namespace flowtrack::cli
