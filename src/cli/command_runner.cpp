#include "flowtrack/cli/command_runner.hpp"

#include <optional>

#include <asio/error.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include "flowtrack/cli/error_class.hpp"
#include "flowtrack/cli/events.hpp"
#include "flowtrack/cli/interrupts.hpp"

namespace flowtrack::cli {
namespace {

using namespace asio::experimental::awaitable_operators;

struct outcome {
  int exit_code = 0;
  std::exception_ptr error;
  bool cancelled = false;
};

bool is_cancellation_code(const std::error_code& ec) {
  return ec == asio::error::operation_aborted || ec == std::errc::operation_canceled;
}

// operation_aborted / operation_canceled at any level of the chain (bounded as error_class).
bool is_cancellation(std::exception_ptr e) {
  for (int depth = 0; e && depth < error_class_max_depth; ++depth) {
    try {
      std::rethrow_exception(e);
    } catch (const std::system_error& se) {
      if (is_cancellation_code(se.code())) return true;
      auto* nested = dynamic_cast<const std::nested_exception*>(&se);
      e = nested ? nested->nested_ptr() : nullptr;
    } catch (const std::nested_exception& n) {
      e = n.nested_ptr();
    } catch (...) {
      return false;
    }
  }
  return false;
}

// Runs the command and reports how it ended as a value: raced branches must not throw (a
// throwing branch never wins `||`).
asio::awaitable<outcome> run_guarded(const std::function<asio::awaitable<int>()>& command) {
  outcome o;
  try {
    o.exit_code = co_await command();
    o.cancelled = o.exit_code == exit_cancelled;  // the command's own word: the user cancelled
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

// Completes only when `source` reports a cancellation request. A source that throws requested
// nothing: then this waits until the `||` it is raced in cancels it (the command finished).
asio::awaitable<void> cancellation_request(const std::function<asio::awaitable<void>()>& source) {
  try {
    co_await source();
    co_return;
  } catch (...) {
  }
  if ((co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none) co_return;
  asio::steady_timer never(co_await asio::this_coro::executor, std::chrono::steady_clock::time_point::max());
  co_await never.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
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

// Closes the telemetry (and runs the after-hook, if any) under one deadline.
asio::awaitable<void> close_phase(telemetry& t, const runner_options& options, std::function<asio::awaitable<void>()> after) {
  const auto deadline = std::chrono::steady_clock::now() + t.close_timeout();
  // The close completes by the deadline itself; the timer (a little later) only guards against
  // a sink that would not, and cancels it (the client then spools what is left).
  const auto backstop = deadline + std::chrono::milliseconds(20);
  if (after) {
    co_await ((guarded(std::move(after)) || wait_until(deadline)) &&
              (close_quietly(t, deadline, options.closed) || wait_until(backstop)));
  } else {
    co_await (close_quietly(t, deadline, options.closed) || wait_until(backstop));
  }
}

// A request to cancel that arrives after `seen`, as a value (a raced branch must not throw).
asio::awaitable<bool> request_beyond(cancellation_source& source, std::uint64_t seen) {
  try {
    co_await source.async_wait_beyond(seen);
    co_return true;
  } catch (...) {
  }
  // The source failed: no request. Wait until the `||` this is raced in cancels it.
  if ((co_await asio::this_coro::cancellation_state).cancelled() == asio::cancellation_type::none) {
    asio::steady_timer never(co_await asio::this_coro::executor, std::chrono::steady_clock::time_point::max());
    co_await never.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
  }
  co_return false;
}

// The close phase; a request to cancel during it cancels it (`||` emits the cancellation on
// the close's slot and waits for the close to honour it). Returns the request's exit code, or
// nullopt when the close ran to its end.
asio::awaitable<std::optional<int>> finish(telemetry& t, const runner_options& options,
                                           std::function<asio::awaitable<void>()> after) {
  if (!options.interrupts) {
    co_await close_phase(t, options, std::move(after));
    co_return std::nullopt;
  }
  const std::uint64_t seen = options.interrupts->requests();
  auto raced = co_await (close_phase(t, options, std::move(after)) || request_beyond(*options.interrupts, seen));
  if (raced.index() == 1 && std::get<1>(raced)) co_return options.interrupts->exit_code();
  co_return std::nullopt;
}

std::string messages_of(std::exception_ptr e) {
  std::string out;
  for (int depth = 0; e && depth < error_class_max_depth; ++depth) {
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      if (const char* w = ex.what(); w && *w) out += (out.empty() ? "" : ": ") + std::string(w);
      auto* nested = dynamic_cast<const std::nested_exception*>(&ex);
      e = nested ? nested->nested_ptr() : nullptr;
    } catch (const std::nested_exception& n) {
      e = n.nested_ptr();
    } catch (...) {
      if (out.empty()) out = "unknown error";
      e = nullptr;
    }
  }
  return out;
}

}  // namespace

asio::awaitable<command_result> execute_command(telemetry& t, command_invocation invocation,
                                                std::function<asio::awaitable<int>()> command, runner_options options) {
  auto now = options.clock ? options.clock : runner_options::clock_fn([] { return std::chrono::steady_clock::now(); });
  t.track(event::command_invoked, {{"command", invocation.path}, {"flags", invocation.flag_names}});

  const std::uint64_t requests_before = options.interrupts ? options.interrupts->requests() : 0;
  const auto started = now();
  outcome result;
  if (options.cancellation || options.interrupts) {
    std::function<asio::awaitable<void>()> source = options.cancellation;
    if (options.interrupts) {
      source = [&options, requests_before, outer = options.cancellation]() -> asio::awaitable<void> {
        if (outer) {
          auto which = co_await (cancellation_request(outer) || request_beyond(*options.interrupts, requests_before));
          (void)which;
        } else if (!co_await request_beyond(*options.interrupts, requests_before)) {
          throw std::system_error(asio::error::operation_aborted);  // cancelled: no request
        }
      };
    }
    auto raced = co_await (run_guarded(command) || cancellation_request(source));
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
  // A request the command saw before the runner did (a Ctrl-C that made a blocking read fail,
  // after which the command returned by itself): still a cancellation.
  if (options.interrupts && options.interrupts->requests() > requests_before) result.cancelled = true;
  if (result.cancelled) {
    const bool signalled = options.interrupts && options.interrupts->requests() > requests_before;
    result.exit_code = signalled ? options.interrupts->exit_code() : exit_cancelled;
  }
  // If the runner itself was cancelled (that stopped the command), still post and close.
  co_await asio::this_coro::reset_cancellation_state();

  command_result out;
  out.exit_code = result.exit_code;
  out.cancelled = result.cancelled;
  out.error = result.error;
  const bool succeeded = result.exit_code == 0 && !result.error && !result.cancelled;
  nlohmann::json completed = {{"command", invocation.path},
                              {"succeeded", succeeded},
                              {"exit_code", result.exit_code},
                              {"duration_ms", duration_ms}};
  if (!succeeded) {
    if (result.cancelled) out.error_class = "cancelled";
    else if (result.error) out.error_class = error_class(result.error);
    else out.error_class = "exit_code";
    completed["user_cancelled"] = result.cancelled;
    completed["error_class"] = out.error_class;
  }
  t.track(event::command_completed, std::move(completed));

  std::function<asio::awaitable<void>()> after;
  if (options.after) {
    after = [&options, code = result.exit_code]() -> asio::awaitable<void> { co_await options.after(code); };
  }
  if (auto interrupted = co_await finish(t, options, std::move(after))) out.exit_code = *interrupted;
  co_return out;
}

asio::awaitable<command_result> execute_command(telemetry& t, command_invocation invocation, pre_run_result pre_run,
                                                std::function<asio::awaitable<int>()> command,
                                                runner_options options) {
  if (pre_run.outcome == pre_run_outcome::proceed) {
    co_return co_await execute_command(t, std::move(invocation), std::move(command), std::move(options));
  }
  // Nothing started: no event. Still close, so a client replaying an old spool stops in time.
  std::function<asio::awaitable<void>()> no_after;  // hoisted: no braced list next to co_await (g++ 12)
  command_result out;
  out.exit_code = pre_run.exit_code;
  if (auto interrupted = co_await finish(t, options, std::move(no_after))) out.exit_code = *interrupted;
  co_return out;
}

asio::awaitable<int> run_command(telemetry& t, command_invocation invocation,
                                 std::function<asio::awaitable<int>()> command, runner_options options) {
  auto result = co_await execute_command(t, std::move(invocation), std::move(command), std::move(options));
  co_return result.exit_code;
}

asio::awaitable<int> run_command(telemetry& t, command_invocation invocation, pre_run_result pre_run,
                                 std::function<asio::awaitable<int>()> command, runner_options options) {
  auto result = co_await execute_command(t, std::move(invocation), pre_run, std::move(command), std::move(options));
  co_return result.exit_code;
}

std::string command_result::message() const {
  if (error) {
    if (cancelled) return "cancelled";
    return messages_of(error);
  }
  if (cancelled) return "cancelled";
  if (exit_code != 0) return "exit code " + std::to_string(exit_code);
  return {};
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
