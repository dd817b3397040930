// An event_sink for tests: keeps every event it is given; its close can be made to hang.
#pragma once

#include <functional>
#include <mutex>
#include <vector>

#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include "flowtrack/cli/event_sink.hpp"

namespace flowtrack::test {

class capturing_sink final : public cli::event_sink {
 public:
  bool hang_on_close = false;  ///< close waits until cancelled, ignoring its timeout
  /// Called when close begins (e.g. to raise a signal "during the close").
  std::function<void()> on_close;

  std::error_code send(const track_message& m) override {
    std::lock_guard lock(mutex_);
    events_.push_back(m);
    return {};
  }

  asio::awaitable<close_report> close(std::chrono::milliseconds) override {
    if (on_close) on_close();
    bool cancelled = false;
    if (hang_on_close) {  // honours cancellation: the wait completes when the slot is emitted
      asio::steady_timer forever(co_await asio::this_coro::executor, std::chrono::hours(24));
      auto [ec] = co_await forever.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
      cancelled = ec == asio::error::operation_aborted;
    }
    std::lock_guard lock(mutex_);
    closed_ = true;
    close_cancelled_ = cancelled;
    close_report r;
    r.delivered = events_.size();
    co_return r;
  }

  std::vector<track_message> events() const {
    std::lock_guard lock(mutex_);
    return events_;
  }
  bool closed() const {
    std::lock_guard lock(mutex_);
    return closed_;
  }
  /// The close ended because its cancellation slot was emitted.
  bool close_cancelled() const {
    std::lock_guard lock(mutex_);
    return close_cancelled_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<track_message> events_;
  bool closed_ = false;
  bool close_cancelled_ = false;
};

}  // namespace flowtrack::test
