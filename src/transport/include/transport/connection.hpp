// One keep-alive HTTP/1.1 connection (plain TCP or TLS) to the endpoint, used by one batch
// sender at a time. Every phase has its own timeout and error code. Runs on the client's
// strand; abort() (from that strand) cancels whatever is pending at once.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string_view>
#include <system_error>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl/context.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/steady_timer.hpp>

#include "flowtrack/config.hpp"
#include "http/http_codec.hpp"
#include "transport/endpoint.hpp"
#include "transport/resolver.hpp"

namespace flowtrack::detail {

class connection {
 public:
  /// `tls` is null for http:// endpoints; it must outlive the connection.
  connection(const asio::any_io_executor& strand, asio::ssl::context* tls, const endpoint_url& ep);

  /// Resolves (unless `addresses` already holds endpoints), connects and, for TLS, handshakes.
  /// Completes at once when already open. Errors: errc::resolve_failed / resolve_timeout /
  /// connect_failed / connect_timeout / tls_handshake_failed / tls_handshake_timeout,
  /// asio::error::operation_aborted after abort(). A failed connect clears `addresses`.
  asio::awaitable<std::error_code> open(const timeout_config& timeouts,
                                        std::vector<asio::ip::tcp::endpoint>& addresses);

  /// Writes `head` then `body`, and reads one response into `out` within `timeout` (interim 1xx
  /// responses before it are skipped; `limits` apply to each response).
  /// Errors: errc::request_timeout, errc::connection_closed (EOF or reset before a whole
  /// response), errc::bad_response, operation_aborted after abort(). After an error, or a
  /// response without keep-alive, the connection is closed.
  asio::awaitable<std::error_code> exchange(std::string_view head, std::string_view body,
                                            http::response& out, std::chrono::milliseconds timeout,
                                            const http::limits& limits);

  bool is_open() const noexcept;
  /// Requests completed on this connection (a stale keep-alive connection shows as > 0).
  std::size_t exchanges() const noexcept { return exchanges_; }

  /// Cancels the pending operation and closes; every later call fails with operation_aborted.
  void abort();
  void close() noexcept;

 private:
  asio::awaitable<std::error_code> connect_socket(const timeout_config& timeouts,
                                                  std::vector<asio::ip::tcp::endpoint>& addresses);
  asio::awaitable<std::error_code> write_and_read(std::string_view head, std::string_view body,
                                                  http::response_parser& parser, http::limits limits);
  asio::ip::tcp::socket& socket() noexcept;

  asio::any_io_executor ex_;
  asio::ssl::context* tls_ctx_;
  const endpoint_url& ep_;
  asio::steady_timer timer_;
  resolver resolver_;
  std::optional<asio::ip::tcp::socket> tcp_;
  std::optional<asio::ssl::stream<asio::ip::tcp::socket>> tls_;
  bool open_ = false;
  bool aborted_ = false;
  std::size_t exchanges_ = 0;
};

}  // namespace flowtrack::detail
