// Host name resolution that can always be abandoned.
//
// getaddrinfo() cannot be interrupted, and Asio's resolver keeps the io_context busy until it
// returns, so a black-holed DNS server would hold up close() and io_context::run() for as long
// as the system resolver likes. Here the lookup runs on a detached thread that holds no work
// on the io_context; the awaiting coroutine waits on a timer and may give up at any time.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>

namespace flowtrack::detail {

class resolver {
 public:
  /// `ex` must be a strand (or single-threaded executor): the lookup's result is posted there.
  explicit resolver(const asio::any_io_executor& ex);
  ~resolver();  ///< abandons a lookup in progress
  resolver(const resolver&) = delete;
  resolver& operator=(const resolver&) = delete;

  /// Resolves `host` (a literal address resolves at once). Completes with the endpoints, or
  /// errc::resolve_failed, errc::resolve_timeout, or asio::error::operation_aborted after
  /// abandon(). At most one lookup at a time per resolver.
  asio::awaitable<std::error_code> resolve(const std::string& host, std::uint16_t port,
                                           std::chrono::milliseconds timeout,
                                           std::vector<asio::ip::tcp::endpoint>& out);

  /// Gives up the lookup in progress, if any: resolve() completes at once with operation_aborted.
  void abandon();

 private:
  struct mailbox;
  asio::any_io_executor ex_;
  // Shared so that a lookup's completion, posted from its thread, wakes the waiting resolve()
  // through a weak reference: it never touches a resolver that is gone.
  std::shared_ptr<asio::steady_timer> timer_;
  std::shared_ptr<mailbox> current_;
  bool abandoned_ = false;
};

}  // namespace flowtrack::detail
