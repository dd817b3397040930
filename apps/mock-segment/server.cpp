#include "server.hpp"

#include <array>
#include <iostream>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

namespace mock_segment {
namespace http = flowtrack::http;
using namespace asio::experimental::awaitable_operators;

namespace {
constexpr auto as_value = asio::experimental::as_tuple(asio::use_awaitable);
}

server::server(asio::io_context& io, server_options options)
    : io_(io),
      options_(std::move(options)),
      acceptor_(io, {asio::ip::make_address(options_.host), options_.port}),
      store_(options_.limits),
      accepted_wire_(http::serialize_response(json_response(200, {{"success", true}}))) {
  store_.current_mode = options_.initial_mode;
  store_.lean = options_.lean;
}

void server::start() { asio::co_spawn(io_, accept_loop(), asio::detached); }

void server::stop() {
  std::error_code ignored;
  acceptor_.close(ignored);
  for (const auto& s : connections_) s->close(ignored);
  connections_.clear();
}

asio::awaitable<void> server::accept_loop() {
  for (;;) {
    auto [ec, socket] = co_await acceptor_.async_accept(as_value);
    if (ec) {
      if (!acceptor_.is_open()) co_return;
      if (ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space) {
        // Out of file descriptors: back off briefly rather than spin; the open ones keep going.
        asio::steady_timer backoff(io_, std::chrono::milliseconds(50));
        co_await backoff.async_wait(as_value);
      }
      continue;
    }
    auto s = std::make_shared<asio::ip::tcp::socket>(std::move(socket));
    connections_.insert(s);
    asio::co_spawn(io_, serve(s), asio::detached);
  }
}

asio::awaitable<void> server::pause(std::chrono::milliseconds d) {
  if (d.count() <= 0) co_return;
  asio::steady_timer t(io_, d);
  co_await t.async_wait(as_value);
}

asio::awaitable<bool> server::respond(asio::ip::tcp::socket& socket, const http::response& r) {
  const std::string wire = http::serialize_response(r);
  const bool sent = co_await send(socket, wire);
  co_return sent && r.keep_alive;
}

asio::awaitable<bool> server::send(asio::ip::tcp::socket& socket, std::string_view wire) {
  auto [ec, n] = co_await asio::async_write(socket, asio::buffer(wire), as_value);
  co_return !ec;
}

asio::awaitable<void> server::lingering_close(asio::ip::tcp::socket& socket) {
  // Closing with unread request bytes would send an RST that can destroy the error response
  // before the client reads it: stop sending, drain briefly, then close.
  std::error_code ignored;
  socket.shutdown(asio::socket_base::shutdown_send, ignored);
  std::array<char, 16384> sink;
  asio::steady_timer limit(io_, std::chrono::seconds(2));
  for (;;) {
    auto result = co_await (socket.async_read_some(asio::buffer(sink), as_value) || limit.async_wait(as_value));
    if (result.index() == 1 || std::get<0>(std::get<0>(result))) break;
  }
}

void server::log(const http::request& req, int status, std::string_view note) const {
  if (!options_.log_requests) return;
  std::cerr << "mock-segment: " << req.method << ' ' << req.target << " -> ";
  if (status != 0) {
    std::cerr << status;
  } else {
    std::cerr << "no answer";
  }
  if (!note.empty()) std::cerr << " (" << note << ')';
  std::cerr << '\n';
}

void server::record_request(nlohmann::json entry, int status) {
  if (options_.lean) {
    store_.count_request(status);
  } else {
    store_.log_request(std::move(entry), status);
  }
}

}  // namespace mock_segment
