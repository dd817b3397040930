// Requests to cancel from outside the command: Ctrl-C (SIGINT) and SIGTERM, as the command
// runner sees them, including while the command is blocked in a synchronous read.
//
//   asio::io_context io;
//   cli::interrupt_watch interrupts{io.get_executor()};   // before the command starts
//   options.interrupts = &interrupts;                     // cli::runner_options
#pragma once

#include <signal.h>

#include <csignal>
#include <cstdint>
#include <initializer_list>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/posix/stream_descriptor.hpp>

namespace flowtrack::cli {

/// Where the runner learns of requests to cancel. requests() is a count that only grows, so
/// the runner can tell whether one arrived during a phase (the command, the close) by
/// comparing it before and after, without racing a wait against the phase's end.
class cancellation_source {
 public:
  virtual ~cancellation_source() = default;
  /// Requests so far. Any thread; never blocks.
  virtual std::uint64_t requests() const noexcept = 0;
  /// The exit code the latest request asks for (130 for SIGINT, 143 for SIGTERM).
  virtual int exit_code() const noexcept = 0;
  /// Completes when requests() > `seen` (at once if it already is). Cancellation (terminal,
  /// partial or total): completes at once with a std::system_error(operation_aborted)
  /// exception. Run it on the source's executor.
  virtual asio::awaitable<void> async_wait_beyond(std::uint64_t seen) = 0;
};

/// The signal source: handles `signals` for its lifetime and restores the previous handlers
/// when destroyed. The handlers are installed WITHOUT SA_RESTART, so a command blocked in a
/// synchronous read (std::getline on std::cin) sees the read fail with EINTR and can return;
/// the runner then sees the request through requests() and reports user_cancelled. The
/// handler only counts the signal and writes one byte to a self-pipe (async-signal-safe).
/// One watch per process at a time (the handler is process-wide): constructing a second
/// while one exists throws std::logic_error; std::system_error when the pipe or the handler
/// cannot be set up. Do not combine with an asio::signal_set for the same signals.
/// Thread-safety: requests()/exit_code() from any thread; async_wait_beyond on `ex`.
class interrupt_watch final : public cancellation_source {
 public:
  explicit interrupt_watch(asio::any_io_executor ex, std::initializer_list<int> signals = {SIGINT, SIGTERM});
  ~interrupt_watch() override;
  interrupt_watch(const interrupt_watch&) = delete;
  interrupt_watch& operator=(const interrupt_watch&) = delete;

  std::uint64_t requests() const noexcept override;
  /// 128 + the latest signal's number; exit_cancelled (130) before any.
  int exit_code() const noexcept override;
  asio::awaitable<void> async_wait_beyond(std::uint64_t seen) override;
  /// The latest signal's number; 0 before any.
  int last_signal() const noexcept;

 private:
  asio::posix::stream_descriptor readable_;
  std::vector<int> signals_;
  std::vector<struct ::sigaction> saved_;  ///< the handlers before ours, restored on destruction
};

}  // namespace flowtrack::cli
