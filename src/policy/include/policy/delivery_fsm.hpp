// The per-batch delivery decision as a sans-io state machine: the sender coroutine reports
// what happened (started, an attempt's outcome, a wait is over) and carries out the action
// resume() returns. No I/O, no clock reads, no randomness of its own: every input is passed
// in, so every transition is unit-tested by tables (tests/unit/policy/delivery_fsm_test.cpp).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <system_error>

#include "flowtrack/config.hpp"
#include "flowtrack/diagnostics.hpp"

namespace flowtrack::detail {

/// What a batch sender does next.
enum class delivery_action_type {
  send,             ///< make one attempt (a request), then resume with attempt_done
  wait,             ///< wait delay() (backoff or Retry-After), then resume with wait_over
  split,            ///< send the batch as two halves, each on a machine of its own (413, 400)
  delivered,        ///< settled: the server accepted the batch
  failed,           ///< settled: the server refused it for good, or retrying ran out; see cause()
  spool_now,        ///< keep it in the spool for a later run (401, 403, TLS refused): settled
  leave_for_spool,  ///< stop, unsettled: close() spools it (or reports it pending)
};

const char* to_string(delivery_action_type t) noexcept;

struct delivery_action {
  delivery_action_type type = delivery_action_type::send;
  std::chrono::milliseconds delay{0};  ///< wait: how long
  std::error_code cause;               ///< failed, spool_now: errc::http_status, retries_exhausted...

  static delivery_action send() { return {}; }
  static delivery_action wait(std::chrono::milliseconds d) { return {delivery_action_type::wait, d, {}}; }
  static delivery_action split() { return {delivery_action_type::split, {}, {}}; }
  static delivery_action delivered() { return {delivery_action_type::delivered, {}, {}}; }
  static delivery_action failed(std::error_code why) { return {delivery_action_type::failed, {}, why}; }
  static delivery_action spool_now(std::error_code why) { return {delivery_action_type::spool_now, {}, why}; }
  static delivery_action leave_for_spool() { return {delivery_action_type::leave_for_spool, {}, {}}; }

  friend bool operator==(const delivery_action&, const delivery_action&) = default;
};

/// What the sender reports to the machine.
enum class delivery_event {
  start,         ///< a new batch (or half of one)
  attempt_done,  ///< the attempt asked by `send` ended: with `error`, or with a response
  wait_over,     ///< the wait asked by `wait` ended (elapsed, or cut short by close())
};

struct delivery_outcome {
  delivery_event event = delivery_event::start;
  /// attempt_done: the transport error (errc::connect_failed...); empty when a response was read.
  std::error_code error;
  /// attempt_done without error: the response's status; with errc::proxy_auth_required or
  /// errc::proxy_refused: the proxy's status.
  int http_status = 0;
  /// attempt_done: the response's Retry-After, parsed and clamped (parse_retry_after).
  std::optional<std::chrono::milliseconds> retry_after;
  /// attempt_done: random bits for the backoff's jitter.
  std::uint64_t random_bits = 0;
};

/// One batch's delivery state. The caller sets the fixed part once and refreshes the client's
/// facts before every resume(); the machine keeps the rest.
struct delivery_state {
  // Fixed for the batch.
  retry_config retry;
  std::size_t messages = 1;  ///< a batch of one is never split

  // The client's facts, refreshed by the caller before each resume().
  bool closing = false;          ///< close() began
  bool aborting = false;         ///< close()'s sending time is over (deadline, cancellation)
  bool spool_available = false;  ///< a usable spool is open

  // Kept by the machine.
  enum class phase { idle, sending, waiting, done } at = phase::idle;
  std::chrono::steady_clock::time_point first_attempt{};  ///< this machine's: the retry budget counts from it
  int attempts = 0;  ///< this machine's attempts (retry_config::max_attempts applies to them)
  diagnostics diag;  ///< the last attempt's error and status, attempts so far (a half starts with its parent's)
};

/// No server could be reached at all: nothing listens (errc::connect_failed), or the name does
/// not resolve (errc::resolve_failed) — the proxy's, through one —, or the proxy could not reach
/// the server (errc::proxy_refused with a retryable status such as 502).
bool server_unreachable(std::error_code ec) noexcept;

/// Steps the machine. Decisions:
/// - start -> send (the retry budget counts from `now`).
/// - attempt_done with a 2xx -> delivered (even while aborting: nothing would be sent again).
/// - 413 or 400 for a batch of more than one message -> split; for one message -> failed(http_status).
/// - 401 or 403, or errc::tls_handshake_failed, errc::proxy_auth_required, errc::proxy_invalid,
///   errc::proxy_refused with a status that is not retryable (403...): a configuration problem a
///   later run may not have -> spool_now when a spool is available, else failed(that code).
///   A proxy's refusal keeps its status in diag.http_status; one with a retryable status (502,
///   503...) is a network failure, retried below.
/// - other non-retryable statuses (classify_status) -> failed(http_status).
/// - retryable statuses and transport errors: aborting -> leave_for_spool; closing with a spool
///   and no server reachable (connect_failed, resolve_failed) -> leave_for_spool; else
///   wait(Retry-After, or the backoff) when the attempt and time budget allow another attempt,
///   else failed(retries_exhausted).
/// - wait_over: aborting, or closing with a spool and no server reachable -> leave_for_spool;
///   else send.
/// Resuming a finished machine, or with an event its phase does not expect, is a programming
/// error: it returns failed(std::errc::invalid_argument) and the machine stays done.
delivery_action resume(delivery_state& state, const delivery_outcome& outcome,
                       std::chrono::steady_clock::time_point now);

/// The state of one half of a batch that resume() split: same retry settings and client facts,
/// `messages` messages, the parent's diagnostics (its attempts carried these messages too).
delivery_state half_of(const delivery_state& parent, std::size_t messages);

}  // namespace flowtrack::detail
