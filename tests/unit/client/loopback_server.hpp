// An in-process HTTP/1.1 server on 127.0.0.1 for coroutine tests of the client. It runs on its
// own io_context and thread, so the client's io_context holds nothing of it: when the client's
// run() returns, the client's own work is done. Replies are scripted per request.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl/context.hpp>
#include <optional>

#include "http/http_codec.hpp"

namespace flowtrack::test {

struct reply {
  enum class kind { respond, blackhole, close, reset, garbage };
  kind what = kind::respond;
  int status = 200;
  http::fields headers;
  std::string body = R"({"success":true})";
  bool keep_alive = true;

  static reply ok() { return {}; }
  static reply status_code(int s) { return {.status = s}; }
  static reply blackhole() { return {.what = kind::blackhole}; }
  static reply close() { return {.what = kind::close}; }
  static reply reset() { return {.what = kind::reset}; }
  static reply garbage() { return {.what = kind::garbage}; }
};

struct received_request {
  std::size_t connection = 0;  ///< 1-based id of the connection it came on
  http::request request;
};

struct tls_identity {
  std::string cert_file;
  std::string key_file;
};

class loopback_server {
 public:
  loopback_server();
  /// A TLS server presenting `identity`.
  explicit loopback_server(const tls_identity& identity);
  ~loopback_server();

  std::uint16_t port() const noexcept { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  /// https://localhost:PORT (the test certificate names localhost).
  std::string tls_url() const { return "https://localhost:" + std::to_string(port_); }

  /// Replies used one per request, in order; when used up, `fallback`.
  void script(std::vector<reply> replies);
  void set_fallback(reply r);

  std::vector<received_request> requests() const;
  std::size_t connections() const;
  /// Blocks (test thread only) until `n` requests arrived or `timeout` passed.
  bool wait_for_requests(std::size_t n, std::chrono::milliseconds timeout) const;

 private:
  void accept_loop();
  reply next_reply();
  template <class Stream>
  asio::awaitable<void> serve(Stream& stream, asio::ip::tcp::socket& socket, std::size_t id);

  asio::io_context io_;
  asio::ip::tcp::acceptor acceptor_;
  std::optional<asio::ssl::context> tls_;
  std::uint16_t port_ = 0;
  mutable std::mutex mutex_;
  mutable std::condition_variable cv_;
  std::deque<reply> script_;
  reply fallback_;
  std::vector<received_request> requests_;
  std::size_t connections_ = 0;
  std::thread thread_;
};

}  // namespace flowtrack::test
