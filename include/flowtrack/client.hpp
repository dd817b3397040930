// flowtrack::client — a Segment client for Asio applications.
//
//   asio::io_context io;
//   flowtrack::client c{io, {.write_key = "KEY"}};
//   c.track({.user_id = "u1", .event = "Signed Up"});          // any thread, never blocks
//   asio::co_spawn(io, [&]() -> asio::awaitable<void> {
//     auto report = co_await c.async_close(3s);                 // bounded by 3 s, whatever happens
//   }, asio::detached);
//   io.run();
#pragma once

#include <chrono>
#include <memory>
#include <system_error>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>

#include "flowtrack/config.hpp"
#include "flowtrack/diagnostics.hpp"
#include "flowtrack/error.hpp"
#include "flowtrack/message.hpp"
#include "flowtrack/stats.hpp"

namespace flowtrack {

namespace detail {
class client_impl;
}

/// The library's exact version, also sent as context.library.version.
const char* library_version() noexcept;

/// A batching, retrying Segment client bound to one executor.
///
/// Producers call track()/identify()/... from any thread: the message is validated and encoded
/// on the caller's thread, then put in a bounded queue without waiting. A long-lived task on
/// the executor batches and sends; up to config::max_in_flight batches at once, each on a
/// keep-alive connection. Nothing is written to stdout/stderr: diagnostics go to
/// config::logger, per-message outcomes to config::on_delivery.
///
/// Thread-safety: every member function may be called from any thread concurrently.
/// Lifetime: call async_close() before destroying the client; destroying an open client
/// cancels its work at once and counts what was queued as pending.
class client {
 public:
  /// Starts the client's background task on `ex`. Throws std::system_error with
  /// errc::invalid_config for an unusable configuration (empty write key, bad endpoint URL,
  /// limits out of range) — a programming error, detected before any message is accepted.
  client(asio::any_io_executor ex, config cfg);
  client(asio::io_context& io, config cfg);
  ~client();
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  /// Validates, encodes and queues one message. Never blocks, never throws for bad input.
  /// Errors: errc::invalid_message, invalid_utf8 (only when repair is off), invalid_number,
  /// message_too_large, nesting_too_deep (nothing queued); errc::queue_full (dropped, counted);
  /// errc::closed (after async_close() began).
  std::error_code track(const track_message& m);
  std::error_code identify(const identify_message& m);
  std::error_code page(const page_message& m);
  std::error_code screen(const screen_message& m);
  std::error_code group(const group_message& m);
  std::error_code alias(const alias_message& m);

  /// For bulk producers that would rather wait than drop: blocks the calling thread until the
  /// queue has room for a message, the client is closing, or `timeout` passes. Returns true
  /// when there is room (a track() right after may still find it taken by another producer).
  /// track() itself never waits; this is the only member that blocks. Returns false at once
  /// on a thread that is running the client's io_context (it would hold up the work that
  /// makes room) and when the client is closing.
  bool wait_for_capacity(std::chrono::milliseconds timeout);

  /// Sends partial batches at once (without waiting for flush_interval) and waits for every
  /// message accepted before the call.
  ///
  /// Completion: when each of them is delivered, has definitively failed, or was spooled for
  /// a later run (a 401/403/TLS refusal with a spool dir).
  /// Errors (the result): empty when all of them were delivered; else the outcome of the last
  /// one that was not (errc::http_status, retries_exhausted, tls_handshake_failed...); with
  /// `why`, that batch's diagnostics (its last error, HTTP status and attempts) are stored
  /// there. errc::closed when the client closes before they were settled.
  /// Cancellation: cancelling the awaiting coroutine (any type) abandons the wait, not the
  /// delivery.
  /// Executor: runs on the client's strand; completes on the awaiting coroutine's executor.
  /// Thread-safety: may be called from any thread, concurrently.
  asio::awaitable<std::error_code> async_flush();
  asio::awaitable<std::error_code> async_flush(diagnostics& why);

  /// Stops intake, sends what is queued, and completes when all is settled, when `timeout` has
  /// passed, or when the operation is cancelled, whichever comes first.
  ///
  /// Completion: with the report (delivered, failed, dropped, pending, spooled). At the deadline
  /// it cancels every operation in flight (resolve, connect, TLS handshake, write, read,
  /// backoff); it completes no later than the deadline plus a few milliseconds. With a spool
  /// (config::spool_dir), what is not delivered is spooled for the next run, sending stops
  /// config::spool_reserve before the deadline to leave time for that, and when no server is
  /// reachable at all (connection refused, the host name does not resolve) it spools at once
  /// instead of retrying until the deadline.
  /// Errors: none as exceptions; the report's spool_error says why something could not be
  /// spooled, and its diagnostics the cause of the last failure.
  /// Cancellation: terminal and partial cancellation (a bound cancellation slot, or the
  /// awaiting coroutine cancelled, e.g. by `||`) stop the sending at once: work in flight is
  /// cancelled, what is left is spooled (with a spool dir) or reported pending, and the close
  /// completes within about 50 ms with report.cancelled set. Total cancellation is ignored.
  /// The slot may be emitted from any thread.
  /// Executor: runs on the client's strand; completes on the awaiting coroutine's executor.
  /// Idempotent: a second call waits for the first close (bounded by its own timeout, not
  /// cancellable) and returns the same report.
  /// Thread-safety: may be called from any thread.
  asio::awaitable<close_report> async_close(std::chrono::milliseconds timeout);

  /// The counters, at any time, from any thread.
  stats statistics() const noexcept;

  /// The executor the client's tasks run on.
  asio::any_io_executor get_executor() const noexcept;

 private:
  std::shared_ptr<detail::client_impl> impl_;
};

}  // namespace flowtrack
