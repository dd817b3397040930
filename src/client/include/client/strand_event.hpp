// A one-waiter event for coroutines on a strand: notify() wakes the waiter, or the next wait
// returns at once. Built on a timer because a cancel() is not sticky: the flag decides.
// Deadlines are engine_clock time points.
// Strand-only (not thread-safe).
#pragma once

#include <chrono>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>

#include "common/engine_clock.hpp"

namespace flowtrack::detail {

class strand_event {
 public:
  explicit strand_event(const asio::any_io_executor& ex) : timer_(ex) {}

  void notify() {
    set_ = true;
    timer_.cancel();
  }
  void reset() noexcept { set_ = false; }
  bool is_set() const noexcept { return set_; }

  /// true: notified; false: `deadline` passed first. Cancelling the awaiting coroutine ends
  /// the wait with an exception (asio::error::operation_aborted) unless it does not throw
  /// when cancelled.
  asio::awaitable<bool> wait_until(std::chrono::steady_clock::time_point deadline) {
    while (!set_) {
      if (engine_clock::now() >= deadline) co_return false;
      timer_.expires_at(deadline);
      co_await timer_.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    }
    co_return true;
  }

  /// As wait_until, but bound to no cancellation slot: only notify() or the deadline end it
  /// (close() takes its cancellation through a handler of its own, see client_impl::close).
  asio::awaitable<bool> wait_unbound_until(std::chrono::steady_clock::time_point deadline) {
    while (!set_) {
      if (engine_clock::now() >= deadline) co_return false;
      timer_.expires_at(deadline);
      co_await timer_.async_wait(
          asio::bind_cancellation_slot(asio::cancellation_slot(), asio::experimental::as_tuple(asio::use_awaitable)));
    }
    co_return true;
  }

  asio::awaitable<void> wait() { co_await wait_until(std::chrono::steady_clock::time_point::max()); }

 private:
  engine_timer timer_;
  bool set_ = false;
};

}  // namespace flowtrack::detail
