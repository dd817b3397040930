// The one clock of the client's engine: every timer (flush interval, backoff, Retry-After,
// close deadline, the events its coroutines wait on) and every "now" of the retry budget and
// the lifecycle read engine_clock. Normally it is std::chrono::steady_clock. While a
// virtual_time object lives (tests), it is a virtual time that only virtual_time::advance()
// moves, and timers on it poll instead of sleeping (as Boost.MySQL's mock_clock does), so
// retry, backoff, interval and deadline behaviour is tested without waiting real time.
//
// What stays on real time: the transport's per-phase timeouts (they bound real I/O and are cut
// by close()'s abort) and the spool's fdatasync. The wall clock (sentAt, Retry-After dates)
// moves with the virtual time (wall_now).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include <asio/basic_waitable_timer.hpp>
#include <asio/wait_traits.hpp>

namespace flowtrack::detail {

struct engine_clock {
  using rep = std::chrono::steady_clock::rep;
  using period = std::chrono::steady_clock::period;
  using duration = std::chrono::steady_clock::duration;
  using time_point = std::chrono::steady_clock::time_point;
  static constexpr bool is_steady = true;

  /// steady_clock::now(), or the virtual time while a virtual_time object lives.
  static time_point now() noexcept;
  /// The wall clock as the engine sees it (sentAt, Retry-After dates): system_clock::now(),
  /// moved on virtual time by as much as the virtual time moved.
  static std::chrono::system_clock::time_point wall_now() noexcept;
  /// Whether a virtual_time object lives.
  static bool is_virtual() noexcept;

  /// Requests in progress in every client of the process (a test driver advances virtual
  /// time only when none is, so a reply on its way is never overtaken by a deadline).
  static void io_started() noexcept;
  static void io_ended() noexcept;
  static std::int64_t io_in_progress() noexcept;
};

using engine_timer = asio::basic_waitable_timer<engine_clock>;

/// While it lives, one request is in progress for engine_clock::io_in_progress() (the virtual
/// time driver of the tests waits for it instead of moving time past a reply on its way).
class io_scope {
 public:
  io_scope() noexcept { engine_clock::io_started(); }
  ~io_scope() { engine_clock::io_ended(); }
  io_scope(const io_scope&) = delete;
  io_scope& operator=(const io_scope&) = delete;
};

/// Test seam: while an instance lives, engine_clock::now() starts at the real time of its
/// construction and moves only by advance(). One at a time per process; not thread-safe
/// against other instances (advance() itself may be called from any thread).
class virtual_time {
 public:
  virtual_time() noexcept;
  ~virtual_time();
  virtual_time(const virtual_time&) = delete;
  virtual_time& operator=(const virtual_time&) = delete;

  static void advance(engine_clock::duration d) noexcept;
};

}  // namespace flowtrack::detail

// Timers on the engine clock wait as long as steady_clock timers would; on virtual time they
// wait for nothing, so the io_context re-checks them against the virtual time at every turn.
template <>
struct asio::wait_traits<flowtrack::detail::engine_clock> {
  static std::chrono::steady_clock::duration to_wait_duration(std::chrono::steady_clock::duration d) {
    return flowtrack::detail::engine_clock::is_virtual() ? std::chrono::steady_clock::duration::zero() : d;
  }
  static std::chrono::steady_clock::duration to_wait_duration(std::chrono::steady_clock::time_point t) {
    const auto now = flowtrack::detail::engine_clock::now();
    if (flowtrack::detail::engine_clock::is_virtual() || t <= now) return std::chrono::steady_clock::duration::zero();
    return t - now;
  }
};
