// The command runner: the one place a CLI's commands get their telemetry.
//
// Call it only after pre-run succeeded (arguments parsed, --help/--version handled, auth
// checked): what never starts sends nothing. It sends "Command Invoked" (command path and
// flag NAMES, never values), runs the command, measures duration_ms right after it, sends
// "Command Completed" (succeeded, exit_code, duration_ms; on failure error_class and
// user_cancelled), then runs the after-hook (e.g. an update notifier, never timed) while the
// telemetry closes; the post and the close share ONE deadline (telemetry::close_timeout()).
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <asio/awaitable.hpp>

#include "flowtrack/cli/telemetry.hpp"

namespace flowtrack::cli {

struct command_invocation {
  std::string path;                     ///< e.g. "deploy" or "auth login"
  std::vector<std::string> flag_names;  ///< e.g. {"--fail-at", "--verbose"}: names only
};

/// Exit code of a command the user cancelled (SIGINT), by convention 128 + 2.
inline constexpr int exit_cancelled = 130;

struct runner_options {
  using clock_fn = std::function<std::chrono::steady_clock::time_point()>;
  /// Completes when the user asks to cancel (e.g. SIGINT); the command is then cancelled.
  /// Empty: the command cannot be cancelled from outside.
  std::function<asio::awaitable<void>()> cancellation;
  /// Runs after "Command Completed" is sent, concurrently with the close; not in duration_ms.
  std::function<asio::awaitable<void>(int exit_code)> after;
  clock_fn clock;  ///< injectable; default steady_clock::now
  /// Receives the telemetry's close report (e.g. to show the last delivery in a status command).
  std::function<void(const close_report&)> closed;
};

/// Runs `command` with telemetry around it and returns its exit code: the command's own; 1
/// when it threw; exit_cancelled when cancelled (via options.cancellation, or the command
/// throwing std::system_error with operation_aborted). Exceptions from the command are turned
/// into telemetry and the exit code, not rethrown. Completes no later than the close deadline
/// after the command (and the after-hook) finish.
/// `t` must outlive the returned awaitable; `invocation` is copied into it.
asio::awaitable<int> run_command(telemetry& t, command_invocation invocation,
                                 std::function<asio::awaitable<int>()> command, runner_options options = {});

}  // namespace flowtrack::cli
