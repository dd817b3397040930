// flowtrack::client — a Segment client for Asio applications.
//
//   asio::io_context io;
//   flowtrack::client c{io, {.write_key = "KEY"}};
//   c.track({.user_id = "u1", .event = "Signed Up"});          // any thread, never blocks
//   asio::co_spawn(io, [&]() -> asio::awaitable<void> {
//     auto report = co_await c.async_close(3s);                 // bounded by 3 s, whatever happens
//   }, asio::detached);
//   io.run();
//
// Any Asio completion token works (callbacks, asio::use_future, asio::deferred,
// asio::experimental::as_tuple(asio::use_awaitable)...); a program without an event loop makes
// a client that runs on a thread of its own and calls the blocking flush()/close():
//
//   flowtrack::client c{flowtrack::config{.write_key = "KEY"}};   // starts its own io thread
//   c.track({.user_id = "u1", .event = "Signed Up"});
//   auto report = c.close(3s);                                   // blocks this thread, 3 s at most
#pragma once

#include <chrono>
#include <exception>
#include <memory>
#include <system_error>
#include <type_traits>
#include <utility>

#include <asio/any_io_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/use_awaitable.hpp>

#include "flowtrack/config.hpp"
#include "flowtrack/diagnostics.hpp"
#include "flowtrack/error.hpp"
#include "flowtrack/message.hpp"
#include "flowtrack/stats.hpp"

namespace flowtrack {

namespace detail {
class client_impl;
class owned_io_thread;

// The non-template halves of the asynchronous operations (client.cpp): the engine's executor
// (its strand) and the coroutines that run there. The templates below only hand them and the
// completion handler to co_spawn, which forwards the handler's cancellation slot and completes
// on the handler's associated executor.
asio::any_io_executor operation_executor(const std::shared_ptr<client_impl>& impl);
asio::awaitable<std::error_code> flush_operation(std::shared_ptr<client_impl> impl, diagnostics* why);
asio::awaitable<close_report> close_operation(std::shared_ptr<client_impl> impl, std::chrono::milliseconds timeout);

template <class CompletionToken>
inline constexpr bool is_default_awaitable_v = std::is_same_v<std::decay_t<CompletionToken>, asio::use_awaitable_t<>>;
}  // namespace detail

/// Completion signatures of the client's asynchronous operations: those of asio::co_spawn, so
/// that `co_await c.async_flush()` (the default token, asio::use_awaitable) returns the
/// error_code as a value. The exception_ptr is set only for what the engine itself throws
/// (std::bad_alloc); delivery outcomes are never exceptions.
using flush_signature = void(std::exception_ptr, std::error_code);
using close_signature = void(std::exception_ptr, close_report);

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
  /// For programs without an event loop (a synchronous CLI, plain threads, Qt): the client runs
  /// on an io_context and one thread of its own, started here. on_delivery and the logger are
  /// called on that thread; completion handlers without an associated executor too. The
  /// blocking flush()/close() are meant for such a client; the asynchronous operations work as
  /// well. The destructor does what it does for any client (below), then lets the thread finish
  /// its work (bounded by config::spool_reserve plus a few milliseconds: what is still in flight
  /// then is abandoned) and joins it; run from that thread itself (a callback destroying the
  /// client), it detaches it instead. Throws as the other constructors, and std::system_error
  /// when the thread cannot be started.
  explicit client(config cfg);
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
  /// a later run (a 401/403/TLS refusal with a spool dir). Signature flush_signature,
  /// `void(std::exception_ptr, std::error_code)`: with the default token, asio::use_awaitable,
  /// `co_await c.async_flush()` returns the error_code; with a callback, asio::use_future,
  /// asio::deferred or asio::experimental::as_tuple(...) the token's usual transformation
  /// applies (as_tuple(use_awaitable) gives a std::tuple<std::exception_ptr, std::error_code>).
  /// Errors (the error_code): empty when all of them were delivered; else the outcome of the
  /// last one that was not (errc::http_status, retries_exhausted, tls_handshake_failed...);
  /// with `why`, that batch's diagnostics (its last error, HTTP status and attempts) are stored
  /// there before the completion (`why` must outlive the operation). errc::closed when the
  /// client closes before they were settled.
  /// Cancellation: terminal cancellation (the awaiting coroutine cancelled, e.g. by `||`, or a
  /// slot bound to the token with asio::bind_cancellation_slot) abandons the wait, not the
  /// delivery: it completes at once with an exception_ptr holding
  /// std::system_error(asio::error::operation_aborted) (co_await rethrows it). Partial and
  /// total cancellation are ignored.
  /// Executor: runs on the client's strand; completes on the token's associated executor (the
  /// awaiting coroutine's for use_awaitable), else on the client's strand.
  /// Thread-safety: may be called from any thread, concurrently.
  template <asio::completion_token_for<flush_signature> CompletionToken = asio::use_awaitable_t<>>
  auto async_flush(CompletionToken&& token = {}) {
    return asio::async_initiate<CompletionToken, flush_signature>(initiate_flush{}, token, impl_, nullptr);
  }
  template <asio::completion_token_for<flush_signature> CompletionToken = asio::use_awaitable_t<>>
  auto async_flush(diagnostics& why, CompletionToken&& token = {}) {
    return asio::async_initiate<CompletionToken, flush_signature>(initiate_flush{}, token, impl_, &why);
  }

  /// Stops intake, sends what is queued, and completes when all is settled, when `timeout` has
  /// passed, or when the operation is cancelled, whichever comes first.
  ///
  /// Completion: with the report (delivered, failed, dropped, pending, spooled); signature
  /// close_signature, `void(std::exception_ptr, close_report)` (`co_await c.async_close(3s)`
  /// returns the report). At the deadline it cancels every operation in flight (resolve,
  /// connect, TLS handshake, write, read, backoff); it completes no later than the deadline
  /// plus a few milliseconds. With a spool (config::spool_dir), what is not delivered is
  /// spooled for the next run, sending stops config::spool_reserve before the deadline to leave
  /// time for that, and when no server is reachable at all (connection refused, the host name
  /// does not resolve) it spools at once instead of retrying until the deadline.
  /// Errors: none as exceptions; the report's spool_error says why something could not be
  /// spooled, and its diagnostics the cause of the last failure.
  /// Cancellation: terminal and partial cancellation stop the sending at once: work in flight
  /// is cancelled, what is left is spooled (with a spool dir) or reported pending, and the
  /// close completes within about 50 ms with report.cancelled set. Total cancellation is
  /// ignored. They come from a slot bound to the token (asio::bind_cancellation_slot, any
  /// token), or from the awaiting coroutine: with the default token the close lets terminal and
  /// partial through that coroutine's filter (it calls reset_cancellation_state with
  /// enable_partial_cancellation on it, as earlier versions did); with another awaitable-based
  /// token (as_tuple(use_awaitable), deferred awaited) the coroutine's own filter applies first
  /// (terminal only unless it enabled more). `||` cancels with all types: the close stops.
  /// The slot may be emitted from any thread.
  /// Executor: runs on the client's strand; completes on the token's associated executor (the
  /// awaiting coroutine's for use_awaitable), else on the client's strand.
  /// Idempotent: a second call waits for the first close (bounded by its own timeout, not
  /// cancellable) and returns the same report.
  /// Thread-safety: may be called from any thread.
  template <asio::completion_token_for<close_signature> CompletionToken = asio::use_awaitable_t<>>
  auto async_close(std::chrono::milliseconds timeout, CompletionToken&& token = {}) {
    if constexpr (detail::is_default_awaitable_v<CompletionToken>) {
      return close_awaitable(timeout);
    } else {
      return asio::async_initiate<CompletionToken, close_signature>(initiate_close{}, token, impl_, timeout);
    }
  }

  /// Blocking form of async_flush(), for a program without an event loop (see client(config)):
  /// blocks the calling thread until the messages accepted before the call are settled or
  /// `timeout` passes, whichever comes first.
  /// Completion: returns when the flush completes, or at the timeout (measured on the engine's
  /// clock, with one more second of real time as a backstop should no thread run the client's
  /// executor); at the timeout the wait is abandoned, the delivery goes on.
  /// Errors: those of async_flush(); errc::deadline_reached at the timeout;
  /// std::errc::resource_deadlock_would_occur, at once, on a thread that runs the client's
  /// executor (the flush could never progress while it blocks there).
  /// Cancellation: none (bounded by `timeout`). Executor: the flush runs on the client's strand;
  /// the caller needs another thread to run it (the client's own thread, or an io_context the
  /// application runs elsewhere). Thread-safety: any thread but the client's, concurrently.
  std::error_code flush(std::chrono::milliseconds timeout);
  std::error_code flush(std::chrono::milliseconds timeout, diagnostics& why);

  /// Blocking form of async_close(): blocks the calling thread until the close completes,
  /// `timeout` plus a few milliseconds at most.
  /// Completion: returns async_close()'s report (no thread running the client's executor: after
  /// `timeout` plus one second of real time, a report with deadline_reached and what is pending).
  /// Errors: in the report, as async_close(). Throws std::system_error with
  /// std::errc::resource_deadlock_would_occur, at once, on a thread that runs the client's
  /// executor (a programming error, as std::thread::join() on its own thread).
  /// Cancellation: none (bounded by `timeout`). Executor, thread-safety: as flush(timeout).
  close_report close(std::chrono::milliseconds timeout);

  /// The counters, at any time, from any thread.
  stats statistics() const noexcept;

  /// The executor the client's tasks run on.
  asio::any_io_executor get_executor() const noexcept;

 private:
  struct initiate_flush {
    template <class Handler>
    void operator()(Handler&& handler, std::shared_ptr<detail::client_impl> impl, diagnostics* why) const {
      auto ex = detail::operation_executor(impl);
      asio::co_spawn(std::move(ex), detail::flush_operation(std::move(impl), why), std::forward<Handler>(handler));
    }
  };
  struct initiate_close {
    template <class Handler>
    void operator()(Handler&& handler, std::shared_ptr<detail::client_impl> impl, std::chrono::milliseconds timeout) const {
      auto ex = detail::operation_executor(impl);
      asio::co_spawn(std::move(ex), detail::close_operation(std::move(impl), timeout), std::forward<Handler>(handler));
    }
  };
  asio::awaitable<close_report> close_awaitable(std::chrono::milliseconds timeout);
  bool on_client_thread() const;

  // Declared first: the client's own thread (client(config)) outlives the engine it runs.
  std::unique_ptr<detail::owned_io_thread> own_thread_;
  std::shared_ptr<detail::client_impl> impl_;
};

}  // namespace flowtrack
