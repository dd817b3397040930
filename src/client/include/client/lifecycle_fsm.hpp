// The client's lifecycle as a sans-io state machine: open -> draining -> aborting -> spooling
// -> closed. close() and the client's destruction report events (with the time and a few facts
// about the work left) and carry out the action resume() returns. No I/O, no clock reads:
// table-tested in tests/unit/client/lifecycle_fsm_test.cpp.
#pragma once

#include <chrono>

namespace flowtrack::detail {

enum class lifecycle_phase {
  open,      ///< accepting messages
  draining,  ///< close() began: intake stopped, everything queued is sent
  aborting,  ///< sending time is over (deadline, cancellation): work in flight is cancelled
  spooling,  ///< what is not settled is written to the spool (when there is one)
  closed,    ///< done: the report is final
};

const char* to_string(lifecycle_phase p) noexcept;

enum class lifecycle_event {
  close_requested,  ///< close(timeout) was called
  progress,         ///< batches settled or senders finished (a wait was woken)
  time_reached,     ///< the wait asked for reached its time point
  cancelled,        ///< close()'s cancellation slot fired (terminal or partial)
  destroyed,        ///< the client object is gone
  spooled,          ///< the spool action is done
};

enum class lifecycle_action_type {
  none,            ///< nothing to do for this event in this phase
  start_draining,  ///< stop intake, send everything (partial batches too), then wait like wait_until
  wait_until,      ///< wait for progress until time(); resume with progress or time_reached
  abort,           ///< cancel every operation in flight, then wait like wait_until
  spool,           ///< write what is unsettled to the spool, syncing until time() at most; resume with spooled
  complete,        ///< stop the engine, fill in the report, complete close()
};

struct lifecycle_action {
  lifecycle_action_type type = lifecycle_action_type::none;
  std::chrono::steady_clock::time_point time{};  ///< wait_until, abort, start_draining, spool

  friend bool operator==(const lifecycle_action&, const lifecycle_action&) = default;
};

/// Inputs fixed for the client's life.
struct lifecycle_settings {
  /// config::spool_reserve: with a spool, sending stops this long before the deadline (at most
  /// half the timeout) so the spool is written in time; also the longest wait for its sync.
  std::chrono::milliseconds spool_reserve{50};
  /// How long, once work in flight was cancelled, close() waits for the cancelled senders to
  /// finish (their last resumption is already queued: they take microseconds, not this long).
  /// A bound, not a delay.
  std::chrono::milliseconds abort_grace{20};
  /// After a cancellation, the longest time before close() completes: the spool's sync is cut
  /// to what is left of it.
  std::chrono::milliseconds cancel_budget{50};
};

/// The client's facts, refreshed by the caller before each resume().
struct lifecycle_facts {
  bool all_settled = true;      ///< nothing queued, no batch with an unsettled message
  bool sending = false;         ///< something queued or in flight (not only batches left for the spool)
  bool senders_running = false; ///< a sender coroutine has not finished
  bool spool_available = false;
};

struct lifecycle_state {
  lifecycle_settings settings;
  lifecycle_phase phase = lifecycle_phase::open;
  std::chrono::steady_clock::time_point deadline{};         ///< close()'s, once requested
  std::chrono::steady_clock::time_point stop_sending_at{};  ///< deadline - spool reserve (with a spool)
  std::chrono::steady_clock::time_point wait_ends_at{};     ///< the current wait's end
  std::chrono::steady_clock::time_point spool_by{};         ///< the spool's sync ends by then
  bool deadline_reached = false;  ///< the deadline, not the end of the work, ended sending
  bool cancelled = false;         ///< close() was cancelled
};

/// Steps the machine. `timeout` is only read with close_requested.
/// - open + close_requested -> draining, start_draining(stop_sending_at): deadline = now +
///   timeout; stop_sending_at = deadline - min(spool_reserve, timeout / 2) with a spool, else
///   the deadline.
/// - draining + progress: all settled, or nothing sending (what is left waits for the spool)
///   -> spooling, spool(deadline); else wait_until(stop_sending_at).
/// - draining + time_reached -> aborting (deadline_reached), abort(now + abort_grace): the
///   grace may pass the deadline (by abort_grace at most).
/// - draining + cancelled -> aborting (cancelled), abort(now + abort_grace); the spool's sync
///   then ends by now + cancel_budget (and never past the deadline).
/// - aborting + progress: no sender running -> spooling, spool; else wait_until(the grace's end).
/// - aborting + time_reached -> spooling, spool. aborting + cancelled -> none (already aborting).
/// - open/draining/aborting + destroyed -> spooling, abort-and-spool at once: spool(now +
///   spool_reserve); the caller aborts first.
/// - spooling + spooled -> closed, complete.
/// - any other event -> none, no change (closed stays closed).
lifecycle_action resume(lifecycle_state& state, lifecycle_event event, const lifecycle_facts& facts,
                        std::chrono::steady_clock::time_point now,
                        std::chrono::milliseconds timeout = std::chrono::milliseconds::zero());

}  // namespace flowtrack::detail
