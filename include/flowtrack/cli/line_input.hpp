// Reading a CLI's interactive input (a wizard's answers) without blocking the executor, so a
// Ctrl-C handled on that executor (runner_options::cancellation with cancel_on_signal) cancels
// the read like any other operation: the command sees operation_aborted, its flow reports
// `cancelled`, and the runner `user_cancelled: true` with exit code 130. A blocking
// std::getline would instead fail with EINTR, and the signal would never reach the runner.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>

namespace flowtrack::cli {

class line_input {
 public:
  /// Reads from `fd` (stdin by default), which stays open and stays blocking (the object reads
  /// only once the descriptor is readable; it never sets O_NONBLOCK on a shared terminal).
  explicit line_input(const asio::any_io_executor& ex, int fd = 0);
  ~line_input();
  line_input(const line_input&) = delete;
  line_input& operator=(const line_input&) = delete;

  /// The next line, without its '\n' (and '\r'); nullopt at the end of the input (a last line
  /// without '\n' is returned first).
  /// Completion: when a whole line (or the end) has been read.
  /// Errors: throws std::system_error for a read error.
  /// Cancellation: cancellation slot (e.g. the runner's, on Ctrl-C): throws
  /// std::system_error(asio::error::operation_aborted); bytes already read stay buffered.
  /// Executor: the one given at construction. A descriptor the reactor cannot wait on (a
  /// regular file, /dev/null) is read directly: such reads never block.
  /// Thread-safety: one read at a time.
  asio::awaitable<std::optional<std::string>> read_line();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace flowtrack::cli
