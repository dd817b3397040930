#include "transport/connection.hpp"

#include <array>

#include <asio/experimental/as_tuple.hpp>
#include <asio/buffer.hpp>
#include <asio/connect.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/ssl/error.hpp>
#include <asio/ssl/host_name_verification.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "flowtrack/error.hpp"
#include "flowtrack/version.hpp"
#include "transport/connect_tunnel.hpp"

namespace flowtrack::detail {

using namespace asio::experimental::awaitable_operators;
constexpr auto as_value = asio::experimental::as_tuple(asio::use_awaitable);

connection::connection(const asio::any_io_executor& strand, asio::ssl::context* tls, const endpoint_url& ep,
                       const proxy_route& route)
    : ex_(strand), tls_ctx_(tls), ep_(ep), route_(route), timer_(strand), resolver_(strand) {}

const proxy_route& connection::direct_route() {
  static const proxy_route direct;
  return direct;
}

asio::ip::tcp::socket& connection::socket() noexcept {
  return tls_ ? tls_->next_layer() : *tcp_;
}

bool connection::is_open() const noexcept { return open_ && !aborted_; }

void connection::close() noexcept {
  open_ = false;
  std::error_code ignored;
  if (tls_) tls_->next_layer().close(ignored);
  if (tcp_) tcp_->close(ignored);
}

void connection::abort() {
  aborted_ = true;
  resolver_.abandon();
  timer_.cancel();
  close();
}

asio::awaitable<std::error_code> connection::open(const timeout_config& timeouts,
                                                  std::vector<asio::ip::tcp::endpoint>& addresses) {
  if (aborted_) co_return asio::error::operation_aborted;
  if (open_) co_return std::error_code{};
  exchanges_ = 0;
  proxy_status_ = 0;
  if (route_.unusable) co_return route_.unusable;
  const bool proxied = route_.mode != proxy_mode::direct;
  if (addresses.empty()) {
    // Through a proxy only the proxy is resolved here: the endpoint's host is the proxy's to resolve.
    const std::string& host = proxied ? route_.proxy.host : ep_.host;
    auto ec = co_await resolver_.resolve(host, proxied ? route_.proxy.port : ep_.port, timeouts.resolve, addresses);
    if (aborted_) co_return asio::error::operation_aborted;
    if (ec) co_return ec;
  }
  if (auto ec = co_await connect_socket(timeouts, addresses)) {
    addresses.clear();  // resolve again next time: the addresses may have changed
    co_return ec;
  }
  if (route_.mode == proxy_mode::tunnel) {
    if (auto ec = co_await open_tunnel(timeouts)) co_return ec;
  }
  if (tls_) {
    timer_.expires_after(timeouts.tls_handshake);
    auto result = co_await (tls_->async_handshake(asio::ssl::stream_base::client, as_value) ||
                            timer_.async_wait(as_value));
    if (aborted_) co_return asio::error::operation_aborted;
    if (result.index() == 1) {
      close();
      co_return errc::tls_handshake_timeout;
    }
    if (auto [ec] = std::get<0>(result); ec) {
      // An untrusted or misnamed certificate, or a peer that does not speak TLS, is a
      // configuration problem (tls_handshake_failed, not retried); a dropped connection is not.
      const bool refused = SSL_get_verify_result(tls_->native_handle()) != X509_V_OK ||
                           ec.category() == asio::error::get_ssl_category();
      close();
      co_return refused ? std::error_code(errc::tls_handshake_failed) : std::error_code(errc::connection_closed);
    }
  }
  open_ = true;
  co_return std::error_code{};
}

asio::awaitable<std::error_code> connection::connect_socket(const timeout_config& timeouts,
                                                            std::vector<asio::ip::tcp::endpoint>& addresses) {
  tls_.reset();
  tcp_.reset();
  if (tls_ctx_) {
    tls_.emplace(ex_, *tls_ctx_);
    // SNI and host-name verification (a no-op when the context does not verify).
    SSL_set_tlsext_host_name(tls_->native_handle(), ep_.host.c_str());
    tls_->set_verify_callback(asio::ssl::host_name_verification(ep_.host));
  } else {
    tcp_.emplace(ex_);
  }
  timer_.expires_after(timeouts.connect);
  auto result = co_await (asio::async_connect(socket(), addresses, as_value) || timer_.async_wait(as_value));
  if (aborted_) co_return asio::error::operation_aborted;
  if (result.index() == 1) {
    close();
    co_return errc::connect_timeout;
  }
  if (auto [ec, ep] = std::get<0>(result); ec) {
    close();
    co_return errc::connect_failed;
  }
  std::error_code ignored;
  socket().set_option(asio::ip::tcp::no_delay(true), ignored);
  co_return std::error_code{};
}

// CONNECT through the proxy on the plain socket, before any TLS byte; what to send and how to
// read the answer is connect_tunnel.hpp's.
asio::awaitable<std::error_code> connection::open_tunnel(const timeout_config& timeouts) {
  const std::string request = connect_request(ep_.host, ep_.port, std::string("flowtrack/") + FLOWTRACK_VERSION_STRING,
                                              route_.authorization);
  connect_reply_reader reader;
  auto exchange_with_proxy = [&]() -> asio::awaitable<std::error_code> {
    if (auto [ec, n] = co_await asio::async_write(socket(), asio::buffer(request), as_value); ec) co_return ec;
    std::array<char, 4096> chunk;
    auto state = connect_reply_reader::state::need_more;
    while (state == connect_reply_reader::state::need_more) {
      auto [ec, n] = co_await socket().async_read_some(asio::buffer(chunk), as_value);
      if (n > 0) state = reader.feed(std::string_view(chunk.data(), n));
      if (ec && state == connect_reply_reader::state::need_more) {
        if (ec != asio::error::eof) co_return ec;
        state = reader.feed_eof();
      }
    }
    co_return std::error_code{};
  };
  timer_.expires_after(timeouts.connect);
  auto result = co_await (exchange_with_proxy() || timer_.async_wait(as_value));
  if (aborted_) co_return asio::error::operation_aborted;
  std::error_code ec;
  if (result.index() == 1) {
    ec = errc::connect_timeout;
  } else if (std::get<0>(result)) {
    ec = errc::connection_closed;  // the proxy reset or dropped the connection mid-answer
  } else {
    switch (reader.current()) {
      case connect_reply_reader::state::tunnel: co_return std::error_code{};
      case connect_reply_reader::state::refused:
        proxy_status_ = reader.status();
        ec = reader.status() == 407 ? errc::proxy_auth_required : errc::proxy_refused;
        break;
      default: ec = errc::bad_response; break;
    }
  }
  close();
  co_return ec;
}

asio::awaitable<std::error_code> connection::write_and_read(std::string_view head, std::string_view body,
                                                            http::response_parser& parser, http::limits limits) {
  std::array<asio::const_buffer, 2> request{asio::buffer(head), asio::buffer(body)};
  // if/else, never co_await inside ?: (g++ 12 miscompiles it).
  std::error_code write_ec;
  std::size_t written = 0;
  if (tls_) {
    std::tie(write_ec, written) = co_await asio::async_write(*tls_, request, as_value);
  } else {
    std::tie(write_ec, written) = co_await asio::async_write(*tcp_, request, as_value);
  }
  if (write_ec) {
    co_return write_ec == asio::error::operation_aborted ? write_ec : std::error_code(errc::connection_closed);
  }
  std::array<char, 4096> chunk;
  for (;;) {
    if (parser.done()) {
      if (!parser.interim()) break;
      // 100 Continue, 102 Processing...: interim, even unasked for; the final response follows
      // (RFC 9110, 15.2). The whole-request timeout still bounds an endless series of them.
      const std::string rest = parser.take_leftover();
      parser = http::response_parser{limits};
      if (!rest.empty() && parser.feed(rest)) co_return errc::bad_response;
      continue;
    }
    std::error_code read_ec;
    std::size_t n = 0;
    if (tls_) {
      std::tie(read_ec, n) = co_await tls_->async_read_some(asio::buffer(chunk), as_value);
    } else {
      std::tie(read_ec, n) = co_await tcp_->async_read_some(asio::buffer(chunk), as_value);
    }
    if (n > 0) {
      if (parser.feed(std::string_view(chunk.data(), n))) co_return errc::bad_response;
    }
    if (read_ec) {
      if (read_ec == asio::error::eof || read_ec == asio::ssl::error::stream_truncated) {
        if (!parser.got_some()) co_return errc::connection_closed;
        if (parser.feed_eof()) co_return errc::connection_closed;
        break;
      }
      co_return read_ec == asio::error::operation_aborted ? read_ec : std::error_code(errc::connection_closed);
    }
  }
  co_return std::error_code{};
}

asio::awaitable<std::error_code> connection::exchange(std::string_view head, std::string_view body,
                                                      http::response& out, std::chrono::milliseconds timeout,
                                                      const http::limits& limits) {
  if (aborted_) co_return asio::error::operation_aborted;
  if (!open_) co_return errc::connection_closed;
  proxy_status_ = 0;
  http::response_parser parser{limits};
  timer_.expires_after(timeout);
  auto result = co_await (write_and_read(head, body, parser, limits) || timer_.async_wait(as_value));
  if (aborted_) co_return asio::error::operation_aborted;
  std::error_code ec = result.index() == 1 ? std::error_code(errc::request_timeout) : std::get<0>(result);
  if (ec) {
    close();
    co_return ec;
  }
  ++exchanges_;
  out = parser.release();
  if (route_.mode == proxy_mode::forward && out.status == 407) {  // the proxy's, not the server's
    proxy_status_ = out.status;
    close();
    co_return errc::proxy_auth_required;
  }
  if (!out.keep_alive) close();
  co_return std::error_code{};
}

}  // namespace flowtrack::detail
