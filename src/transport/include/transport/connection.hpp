// One keep-alive HTTP/1.1 connection (plain TCP or TLS) to the endpoint, used by one batch
// sender at a time, directly or through a proxy (proxy_route.hpp): a CONNECT tunnel for https
// endpoints, absolute-form requests for http ones. Every phase has its own timeout and error
// code. Runs on the client's strand; abort() (from that strand) cancels whatever is pending at once.
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
#include "transport/proxy_route.hpp"
#include "transport/resolver.hpp"

namespace flowtrack::detail {

class connection {
 public:
  /// `tls` is null for http:// endpoints; it, `ep` and `route` must outlive the connection.
  /// `route`: how to reach `ep` (direct when omitted).
  connection(const asio::any_io_executor& strand, asio::ssl::context* tls, const endpoint_url& ep,
             const proxy_route& route = direct_route());

  /// Resolves (unless `addresses` already holds endpoints), connects and, for TLS, handshakes.
  /// Through a proxy, the proxy is resolved and connected (never the endpoint's host: the
  /// proxy resolves it), and for TLS a CONNECT tunnel is opened first, within the connect
  /// timeout; the TLS handshake then names and verifies the endpoint's host.
  /// Completes at once when already open. Errors: errc::resolve_failed / resolve_timeout /
  /// connect_failed / connect_timeout / tls_handshake_failed / tls_handshake_timeout; through
  /// a proxy also errc::proxy_auth_required (a 407), errc::proxy_refused (another non-2xx
  /// answer to CONNECT: proxy_status() says which), errc::bad_response (an answer that is not
  /// HTTP), errc::proxy_invalid (route.unusable); asio::error::operation_aborted after
  /// abort(). A failed connect clears `addresses`.
  asio::awaitable<std::error_code> open(const timeout_config& timeouts,
                                        std::vector<asio::ip::tcp::endpoint>& addresses);

  /// Writes `head` then `body`, and reads one response into `out` within `timeout` (interim 1xx
  /// responses before it are skipped; `limits` apply to each response).
  /// Errors: errc::request_timeout, errc::connection_closed (EOF or reset before a whole
  /// response), errc::bad_response, operation_aborted after abort(). After an error, or a
  /// response without keep-alive, the connection is closed. Through a forward proxy, a 407
  /// answer is errc::proxy_auth_required (proxy_status() 407).
  asio::awaitable<std::error_code> exchange(std::string_view head, std::string_view body,
                                            http::response& out, std::chrono::milliseconds timeout,
                                            const http::limits& limits);

  bool is_open() const noexcept;
  /// The proxy's status when the last open() or exchange() failed with errc::proxy_refused or
  /// errc::proxy_auth_required; else 0.
  int proxy_status() const noexcept { return proxy_status_; }
  /// The route of a connection made without one.
  static const proxy_route& direct_route();
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
  asio::awaitable<std::error_code> open_tunnel(const timeout_config& timeouts);
  asio::ip::tcp::socket& socket() noexcept;

  asio::any_io_executor ex_;
  asio::ssl::context* tls_ctx_;
  const endpoint_url& ep_;
  const proxy_route& route_;
  asio::steady_timer timer_;
  resolver resolver_;
  std::optional<asio::ip::tcp::socket> tcp_;
  std::optional<asio::ssl::stream<asio::ip::tcp::socket>> tls_;
  bool open_ = false;
  bool aborted_ = false;
  std::size_t exchanges_ = 0;
  int proxy_status_ = 0;
};

}  // namespace flowtrack::detail
