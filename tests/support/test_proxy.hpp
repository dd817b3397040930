// A small HTTP proxy for tests, on 127.0.0.1 and its own thread: CONNECT tunnels (for https
// endpoints) and absolute-form forwarding (for http ones). It counts what it did, can require
// credentials (407 otherwise), refuse tunnels with a chosen status, and resolve host names that
// only it knows (so a test proves the client let the proxy resolve the endpoint's host).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

#include "http/http_codec.hpp"

namespace flowtrack::test {

struct test_proxy_options {
  /// The Proxy-Authorization value every request must carry ("Basic ..."); empty: none needed.
  std::string required_authorization;
  /// Names the proxy resolves itself (e.g. {"api.only-the-proxy.test", "127.0.0.1"}); other
  /// names must be address literals or "localhost".
  std::map<std::string, std::string> hosts;
  /// The answer to an authorized CONNECT: 200 opens the tunnel, anything else refuses it.
  int connect_status = 200;
  /// false: read a CONNECT and never answer it (the connection stays open until the client closes it).
  bool answer_connect = true;
};

class test_proxy {
 public:
  explicit test_proxy(test_proxy_options options = {});
  ~test_proxy();
  test_proxy(const test_proxy&) = delete;
  test_proxy& operator=(const test_proxy&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  /// http://127.0.0.1:PORT, with "user:password@" when given (already percent-encoded).
  std::string url(const std::string& userinfo = {}) const;

  std::size_t tunnels() const;       ///< CONNECT requests answered 2xx
  std::size_t forwarded() const;     ///< absolute-form requests relayed to their server
  std::size_t auth_refusals() const; ///< requests answered 407
  /// The request lines' targets, in arrival order ("host:port" for CONNECT, the absolute URL else).
  std::vector<std::string> targets() const;
  /// Every request head as received (Proxy-Authorization included), in arrival order.
  std::vector<http::request> received() const;

 private:
  void accept_loop();
  asio::awaitable<void> serve(std::shared_ptr<asio::ip::tcp::socket> client);
  asio::awaitable<void> tunnel(std::shared_ptr<asio::ip::tcp::socket> client, std::string authority,
                               std::string leftover);
  asio::awaitable<bool> forward(asio::ip::tcp::socket& client, http::request& request);
  bool resolve(const std::string& host, asio::ip::address& out) const;

  test_proxy_options options_;
  asio::io_context io_;
  asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  mutable std::mutex mutex_;
  std::size_t tunnels_ = 0, forwarded_ = 0, auth_refusals_ = 0;
  std::vector<std::string> targets_;
  std::vector<http::request> received_;
  std::thread thread_;
};

}  // namespace flowtrack::test
