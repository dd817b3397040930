// mock-segment's HTTP/1.1 server: one coroutine per connection on a single-threaded
// io_context, keep-alive and pipelining, scripted faults applied per ingest request.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

#include "http/http_codec.hpp"
#include "ingest.hpp"
#include "store.hpp"

namespace mock_segment {

/// Limits on a request as it arrives (before any gzip decoding).
inline constexpr flowtrack::http::limits wire_limits{.header_bytes = std::size_t{16} * 1024,
                                                     .body_bytes = std::size_t{600} * 1024};

struct server_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  ingest_options ingest;
  store_limits limits;
  mode initial_mode = mode::ok;
  bool log_requests = false;  ///< one line per request on stderr
  bool lean = false;          ///< count ingested messages, keep nothing (lean_ingest.hpp)
  std::chrono::seconds idle_timeout{60};
  /// Request bodies over this many bytes (as they arrive) are refused with 413.
  std::size_t max_body_bytes = wire_limits.body_bytes;
  /// All connections' request bytes buffered at once: past it a request that holds more than
  /// 16 KiB (a body) is answered 503 with Retry-After: 1 and its connection closed, so many
  /// slow big bodies cannot exhaust memory; small requests (the admin API) are still served.
  std::size_t max_inflight_bytes = std::size_t{64} << 20;
  /// Required (Authorization: Bearer) on state-changing admin requests; empty: none.
  std::string admin_token;
};

class server {
 public:
  server(asio::io_context& io, server_options options);
  asio::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }
  void start();
  /// Stops accepting and closes every connection.
  void stop();

 private:
  using socket_ptr = std::shared_ptr<asio::ip::tcp::socket>;
  asio::awaitable<void> accept_loop();
  // connection.cpp: one connection's requests, in order (keep-alive, pipelining).
  asio::awaitable<void> serve(socket_ptr socket);
  asio::awaitable<bool> respond(asio::ip::tcp::socket& socket, const flowtrack::http::response& r);
  /// Writes serialized bytes; false when the connection failed.
  asio::awaitable<bool> send(asio::ip::tcp::socket& socket, std::string_view wire);
  asio::awaitable<void> lingering_close(asio::ip::tcp::socket& socket);
  asio::awaitable<void> pause(std::chrono::milliseconds d);
  /// With --log: "METHOD target -> status[ (note)]" on stderr; status 0: "no answer".
  void log(const flowtrack::http::request& req, int status, std::string_view note = {}) const;
  /// Counts an ingest request; the full mode also keeps its log entry.
  void record_request(nlohmann::json entry, int status);

  asio::io_context& io_;
  server_options options_;
  asio::ip::tcp::acceptor acceptor_;
  store store_;
  std::set<socket_ptr> connections_;
  std::size_t inflight_bytes_ = 0;  // request bytes buffered by all connections (one thread)
  const std::string accepted_wire_;  // 200 {"success":true}, serialized once for the lean mode
};

}  // namespace mock_segment
