// Where a telemetry facade hands its events: the flowtrack client, a debug printer, or (in a
// CLI's own tests) a capturing sink.
#pragma once

#include <chrono>
#include <iosfwd>
#include <memory>
#include <system_error>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>

#include "flowtrack/config.hpp"
#include "flowtrack/message.hpp"
#include "flowtrack/stats.hpp"

namespace flowtrack::cli {

class event_sink {
 public:
  virtual ~event_sink() = default;
  /// Hands over one event. Never blocks. Thread-safe. Errors as flowtrack::client::track.
  virtual std::error_code send(const track_message& m) = 0;
  /// Delivers what was sent before the call; completes when it is delivered or failed, with
  /// the first error (flowtrack::client::async_flush). Cancellable; then the events stay held.
  /// The default (a sink that holds nothing, e.g. a printer) completes at once with success.
  virtual asio::awaitable<std::error_code> flush() { co_return std::error_code{}; }
  /// Delivers what it holds within `timeout` (spooling the rest, for the client), then completes
  /// with what happened. Called once, on the sink's executor; must honour cancellation (the
  /// runner cancels it shortly after the deadline if it has not completed).
  virtual asio::awaitable<close_report> close(std::chrono::milliseconds timeout) = 0;
};

/// A sink over a flowtrack::client on `ex` (send = client::track, close = client::async_close).
/// The client is created by the first send, not before: a command that sends nothing opens no
/// connection, replays no spool and closes at once. Throws std::system_error(errc::invalid_config)
/// when `cfg` is unusable; a client that still cannot be created at the first send (its TLS CA
/// files) makes send return errc::invalid_config.
std::unique_ptr<event_sink> make_client_sink(asio::any_io_executor ex, config cfg);

/// Prints each event as one JSON line on `out` and sends nothing (the debug mode). Thread-safe
/// (one lock around each line); `out` must outlive the sink. Its close completes at once.
std::unique_ptr<event_sink> make_print_sink(std::ostream& out);

}  // namespace flowtrack::cli
