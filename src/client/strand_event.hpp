// A one-waiter event for coroutines on a strand: notify() wakes the waiter, or the next wait
// returns at once. Built on a timer because a cancel() is not sticky: the flag decides.
// Strand-only (not thread-safe).
#pragma once

#include <chrono>

#include <asio/any_io_executor.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/awaitable.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

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

  /// true: notified; false: `deadline` passed first.
  asio::awaitable<bool> wait_until(std::chrono::steady_clock::time_point deadline) {
    while (!set_) {
      if (std::chrono::steady_clock::now() >= deadline) co_return false;
      timer_.expires_at(deadline);
      co_await timer_.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    }
    co_return true;
  }

  asio::awaitable<void> wait() { co_await wait_until(std::chrono::steady_clock::time_point::max()); }

 private:
  asio::steady_timer timer_;
  bool set_ = false;
};

}  // namespace flowtrack::detail
