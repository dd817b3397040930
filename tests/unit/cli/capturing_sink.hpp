// An event_sink for tests: keeps every event it is given; its close can be made to hang.
#pragma once

#include <mutex>
#include <optional>
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
  std::error_code flush_result;  ///< what flush() completes with

  std::error_code send(const track_message& m) override {
    std::lock_guard lock(mutex_);
    events_.push_back(m);
    return {};
  }

  asio::awaitable<std::error_code> flush() override {
    std::lock_guard lock(mutex_);
    ++flushes_;
    co_return flush_result;
  }

  asio::awaitable<close_report> close(std::chrono::milliseconds timeout) override {
    {
      std::lock_guard lock(mutex_);
      close_timeout_ = timeout;
    }
    if (hang_on_close) {
      asio::steady_timer forever(co_await asio::this_coro::executor, std::chrono::hours(24));
      co_await forever.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    }
    std::lock_guard lock(mutex_);
    closed_ = true;
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
  int flushes() const {
    std::lock_guard lock(mutex_);
    return flushes_;
  }
  /// The timeout close() was given; nullopt before it was called.
  std::optional<std::chrono::milliseconds> close_timeout() const {
    std::lock_guard lock(mutex_);
    return close_timeout_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<track_message> events_;
  bool closed_ = false;
  int flushes_ = 0;
  std::optional<std::chrono::milliseconds> close_timeout_;
};

}  // namespace flowtrack::test
