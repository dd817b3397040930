// The command runner: the one place a CLI's commands get their telemetry.
//
// It takes the pre-run's result (arguments parsed, --help/--version handled, auth checked):
// what never starts sends nothing, so there is never a "Command Completed" without a
// "Command Invoked". When pre-run let the command proceed, it sends "Command Invoked" (command
// path and flag NAMES, never values), runs the command, measures duration_ms right after it,
// sends "Command Completed" (succeeded, exit_code, duration_ms; on failure error_class and
// user_cancelled), then runs the after-hook (e.g. an update notifier, never timed) while the
// telemetry closes. The wait for that post and the close share ONE deadline
// (telemetry::close_timeout(), 3 s by default): when it passes, everything still in flight is
// cancelled (the client spools what is left) and the runner returns. Nothing outlives it.
// execute_command() then hands the command's error back (command_result), so the CLI can tell
// the user what failed; the telemetry only ever gets its class.
//
// Cancellation is recognised wherever it comes from, and always reported the same way
// (user_cancelled: true, error_class "cancelled", exit code 130): the cancellation source
// (runner_options::cancellation, e.g. SIGINT) completing while the command runs; the command
// throwing std::system_error with asio::error::operation_aborted or errc::operation_canceled;
// the command returning exit_cancelled because of a request the source reports (it saw the
// signal first, e.g. a blocking read failed with EINTR; runner_options::cancel_grace).
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <asio/awaitable.hpp>
#include <asio/signal_set.hpp>

#include "flowtrack/cli/telemetry.hpp"

namespace flowtrack::cli {

struct command_invocation {
  std::string path;                     ///< e.g. "deploy" or "auth login"
  std::vector<std::string> flag_names;  ///< e.g. {"--fail-at", "--verbose"}: names only
};

/// Exit code of a command the user cancelled (SIGINT), by convention 128 + 2.
inline constexpr int exit_cancelled = 130;

/// How pre-run ended. Only `proceed` starts the command (and its telemetry).
enum class pre_run_outcome {
  proceed,        ///< parsed, authorised: run the command
  help_shown,     ///< --help (or no command): handled, nothing to run
  version_shown,  ///< --version
  usage_error,    ///< unknown flag or command, missing argument
  auth_refused,   ///< the command needs a login the user does not have
};
constexpr std::string_view to_string(pre_run_outcome o) noexcept {
  switch (o) {
    case pre_run_outcome::proceed: return "proceed";
    case pre_run_outcome::help_shown: return "help_shown";
    case pre_run_outcome::version_shown: return "version_shown";
    case pre_run_outcome::usage_error: return "usage_error";
    case pre_run_outcome::auth_refused: return "auth_refused";
  }
  return "proceed";
}

struct pre_run_result {
  pre_run_outcome outcome = pre_run_outcome::proceed;
  int exit_code = 0;  ///< the process's exit code when the command does not run
};

/// How a command ended, for the CLI to report (execute_command).
struct command_result {
  int exit_code = 0;
  bool user_cancelled = false;
  /// As sent in "Command Completed": empty on success, "cancelled", "exit_code" (a non-zero
  /// code returned), else error_class() of what the command threw.
  std::string error_class;
  /// What the command threw; null when it returned (or was cancelled from outside).
  std::exception_ptr error;
  /// The thrown error's code when it is a std::system_error (filesystem_error...), else empty.
  std::error_code code;
  /// The thrown error's what() (code.message() is part of it for a system_error). For the
  /// user's terminal only: it is never sent. Empty for a non-std exception and on success.
  std::string message;

  bool succeeded() const noexcept { return exit_code == 0 && !user_cancelled && !error; }
};

struct runner_options {
  using clock_fn = std::function<std::chrono::steady_clock::time_point()>;
  /// Completes when the user asks to cancel (e.g. SIGINT: cancel_on_signal()); the command is
  /// then cancelled through its cancellation slot and the runner waits for it to stop. A source
  /// that throws is not a cancellation request (it is ignored). Empty: no outside cancellation.
  std::function<asio::awaitable<void>()> cancellation;
  /// Runs after "Command Completed" is sent, concurrently with the close and bounded by the same
  /// deadline (cancelled when it passes); not in duration_ms; its exceptions are swallowed.
  /// Runs also when telemetry is off (the no-op facade reports the same close_timeout()).
  std::function<asio::awaitable<void>(int exit_code)> after;
  clock_fn clock;  ///< injectable; default steady_clock::now (the library's engine clock: virtual time in its tests)
  /// How long after the close deadline the runner stops waiting for a sink that ignores it
  /// (and cancels that close, so the client spools what is left). The client keeps its
  /// deadline itself; this only bounds a misbehaving sink.
  std::chrono::milliseconds close_backstop{20};
  /// When the command returns exit_cancelled before the runner saw a cancellation request, how
  /// long the runner asks the source again (a signal that was delivered while the command was
  /// blocked is reported at once; only a 130 without any signal waits this long).
  std::chrono::milliseconds cancel_grace{50};
  /// Receives the telemetry's close report (e.g. to show the last delivery in a status command).
  std::function<void(const close_report&)> closed;
};

/// Runs `command` with telemetry around it and hands back how it ended: the exit code (the
/// command's own; 1 when it threw; exit_cancelled when cancelled, see above), the class sent,
/// and the error itself (exception, code, message) for the CLI to print.
/// Completion: after "Command Completed" was handed over, the after-hook ran and the telemetry
/// closed: no later than telemetry::close_timeout() + options.close_backstop after the command
/// finished.
/// Errors: the command's are in the result, never rethrown; the runner throws nothing else.
/// Cancellation: cancelling the runner itself cancels the command (reported as
/// user_cancelled), then the post and close still run within their deadline.
/// Executor: run it on the executor the telemetry was made with. Lifetimes: `t` must outlive
/// the returned awaitable; the other arguments are moved into it.
asio::awaitable<command_result> execute_command(telemetry& t, command_invocation invocation,
                                                std::function<asio::awaitable<int>()> command,
                                                runner_options options = {});

/// The same, after a pre-run: when `pre_run.outcome` is not `proceed`, sends no event, runs
/// neither the command nor the after-hook, closes the telemetry within its deadline and
/// returns `pre_run.exit_code` (no error).
asio::awaitable<command_result> execute_command(telemetry& t, command_invocation invocation, pre_run_result pre_run,
                                                std::function<asio::awaitable<int>()> command,
                                                runner_options options = {});

/// execute_command(), keeping only the exit code (for CLIs that print no error themselves).
asio::awaitable<int> run_command(telemetry& t, command_invocation invocation,
                                 std::function<asio::awaitable<int>()> command, runner_options options = {});
asio::awaitable<int> run_command(telemetry& t, command_invocation invocation, pre_run_result pre_run,
                                 std::function<asio::awaitable<int>()> command, runner_options options = {});

/// A runner_options::cancellation source: completes when one of `signals`' signals arrives
/// (e.g. `asio::signal_set sigint{io, SIGINT}`: create the set before the command starts, so a
/// Ctrl-C is never lost to the default handler). If the set's wait is cancelled
/// (signals.cancel()), it never completes. `signals` must outlive the runner.
std::function<asio::awaitable<void>()> cancel_on_signal(asio::signal_set& signals);

}  // namespace flowtrack::cli
