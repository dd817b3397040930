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

#include "admin_api.hpp"
#include "validation.hpp"

namespace mock_segment {
namespace http = flowtrack::http;
using namespace asio::experimental::awaitable_operators;
constexpr auto as_value = asio::experimental::as_tuple(asio::use_awaitable);

namespace {
constexpr http::limits request_limits{.header_bytes = 16 * 1024, .body_bytes = 1024 * 1024};

http::response parse_failure_response(std::error_code ec) {
  if (ec == http::parse_error::body_too_large) return plain_response(413, "request body too large\n", false);
  if (ec == http::parse_error::header_too_large) return plain_response(431, "request header too large\n", false);
  return plain_response(400, "malformed HTTP request\n", false);
}
}  // namespace

server::server(asio::io_context& io, server_options options)
    : io_(io),
      options_(std::move(options)),
      acceptor_(io, {asio::ip::make_address(options_.host), options_.port}),
      store_(options_.limits) {
  store_.current_mode = options_.initial_mode;
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
      continue;  // e.g. too many open files: keep serving the connections we have
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
  auto [ec, n] = co_await asio::async_write(socket, asio::buffer(wire), as_value);
  co_return !ec && r.keep_alive;
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

asio::awaitable<void> server::apply_action(asio::ip::tcp::socket& socket, const std::string& action) {
  std::error_code ignored;
  if (action == "blackhole") {
    std::array<char, 4096> sink;
    for (;;) {  // read and discard, never answer, until the client goes or we shut down
      auto [ec, n] = co_await socket.async_read_some(asio::buffer(sink), as_value);
      if (ec) break;
    }
  } else if (action == "reset") {
    socket.set_option(asio::socket_base::linger(true, 0), ignored);
  } else if (action == "truncate") {  // reset in the middle of a response
    static const std::string partial = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n{\"succ";
    co_await asio::async_write(socket, asio::buffer(partial), as_value);
    socket.set_option(asio::socket_base::linger(true, 0), ignored);
  } else if (action == "garbage") {
    static const std::string junk = "HTTP/1.1 2OO 0K\r\nContent-Length: banana\r\n\x01\x02\r\n\r\n";
    co_await asio::async_write(socket, asio::buffer(junk), as_value);
  }
  socket.close(ignored);  // "close": drop the connection without answering
}

asio::awaitable<void> server::serve(socket_ptr socket) {
  std::array<char, 16384> buf;
  std::string leftover;
  asio::steady_timer idle(io_);
  bool keep_going = true;
  while (keep_going) {
    http::request_parser parser{request_limits};
    std::error_code parse_ec;
    if (!leftover.empty()) parse_ec = parser.feed(std::exchange(leftover, {}));
    while (!parse_ec && !parser.done()) {
      idle.expires_after(options_.idle_timeout);
      auto result = co_await (socket->async_read_some(asio::buffer(buf), as_value) || idle.async_wait(as_value));
      if (result.index() == 1) {
        keep_going = false;  // idle too long
        break;
      }
      auto [ec, n] = std::get<0>(result);
      if (n > 0) parse_ec = parser.feed(std::string_view(buf.data(), n));
      if (ec) {
        keep_going = false;
        break;
      }
    }
    if (!keep_going) break;
    if (parse_ec) {
      co_await respond(*socket, parse_failure_response(parse_ec));
      co_await lingering_close(*socket);
      break;
    }
    leftover = parser.take_leftover();
    http::request req = parser.release();
    const std::uint64_t id = store_.next_request_id();
    const std::string path = req.target.substr(0, req.target.find('?'));

    if (auto admin = handle_admin(req, store_)) {
      co_await pause(admin->delay);
      keep_going = co_await respond(*socket, admin->response) && req.keep_alive;
      continue;
    }
    auto type = ingest_type_for_path(path);
    if (!type) {
      keep_going = co_await respond(*socket, plain_response(404, "not found\n")) && req.keep_alive;
      continue;
    }
    nlohmann::json entry = describe_request(req, id);
    http::response res;
    if (auto f = store_.next_fault()) {
      entry["fault"] = f->to_json();
      co_await pause(std::chrono::milliseconds(f->delay_ms));
      if (!f->action.empty()) {
        store_.log_request(std::move(entry), 0);
        co_await apply_action(*socket, f->action);
        break;
      }
      if (f->status != 0) {
        res = plain_response(f->status, "injected fault\n");
        if (f->retry_after >= 0) res.headers.push_back({"Retry-After", std::to_string(f->retry_after)});
      } else {
        res = ingest(req, *type, options_.ingest, store_, id, entry);
      }
    } else {
      res = ingest(req, *type, options_.ingest, store_, id, entry);
    }
    if (options_.log_requests)
      std::cerr << "mock-segment: " << req.method << ' ' << req.target << " -> " << res.status << '\n';
    store_.log_request(std::move(entry), res.status);
    keep_going = co_await respond(*socket, res) && req.keep_alive;
  }
  std::error_code ignored;
  socket->close(ignored);
  connections_.erase(socket);
}

}  // namespace mock_segment
