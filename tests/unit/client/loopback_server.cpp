#include "loopback_server.hpp"

#include <array>
#include <memory>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/write.hpp>

#include "support/accept_loop.hpp"

namespace flowtrack::test {
namespace {

constexpr auto as_value = asio::experimental::as_tuple(asio::use_awaitable);

}  // namespace

loopback_server::loopback_server() : acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
  port_ = acceptor_.local_endpoint().port();
  accept_loop();
  thread_ = std::thread([this] { io_.run(); });
}

loopback_server::loopback_server(const tls_identity& identity)
    : acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
  tls_.emplace(asio::ssl::context::tls_server);
  tls_->use_certificate_chain_file(identity.cert_file);
  tls_->use_private_key_file(identity.key_file, asio::ssl::context::pem);
  port_ = acceptor_.local_endpoint().port();
  accept_loop();
  thread_ = std::thread([this] { io_.run(); });
}

loopback_server::~loopback_server() {
  io_.stop();
  thread_.join();
}

void loopback_server::script(std::vector<reply> replies) {
  std::lock_guard lock(mutex_);
  script_.assign(replies.begin(), replies.end());
}

void loopback_server::set_fallback(reply r) {
  std::lock_guard lock(mutex_);
  fallback_ = std::move(r);
}

std::vector<received_request> loopback_server::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

std::size_t loopback_server::connections() const {
  std::lock_guard lock(mutex_);
  return connections_;
}

bool loopback_server::wait_for_requests(std::size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return cv_.wait_for(lock, timeout, [&] { return requests_.size() >= n; });
}

reply loopback_server::next_reply() {
  if (script_.empty()) return fallback_;
  reply r = std::move(script_.front());
  script_.pop_front();
  return r;
}

void loopback_server::accept_loop() {
  spawn_accept_loop(acceptor_, [this](asio::ip::tcp::socket socket) {
    std::size_t id = 0;
    {
      std::lock_guard lock(mutex_);
      id = ++connections_;
    }
    if (tls_) {
      auto stream = std::make_shared<asio::ssl::stream<asio::ip::tcp::socket>>(std::move(socket), *tls_);
      asio::co_spawn(io_, [this, id, stream]() -> asio::awaitable<void> {
        auto [hs] = co_await stream->async_handshake(asio::ssl::stream_base::server, as_value);
        if (!hs) co_await serve(*stream, stream->next_layer(), id);
      }, asio::detached);
    } else {
      auto s = std::make_shared<asio::ip::tcp::socket>(std::move(socket));
      asio::co_spawn(io_, [this, id, s]() -> asio::awaitable<void> { co_await serve(*s, *s, id); }, asio::detached);
    }
  });
}

template <class Stream>
asio::awaitable<void> loopback_server::serve(Stream& stream, asio::ip::tcp::socket& socket, std::size_t id) {
  std::array<char, 16384> buf;
  std::string leftover;
  for (;;) {
    http::request_parser parser{{.header_bytes = 65536, .body_bytes = 8 << 20}};
    if (!leftover.empty() && parser.feed(std::exchange(leftover, {}))) co_return;
    while (!parser.done()) {
      auto [ec, n] = co_await stream.async_read_some(asio::buffer(buf), as_value);
      if (ec) co_return;
      if (parser.feed(std::string_view(buf.data(), n))) co_return;
    }
    leftover = parser.take_leftover();
    reply r;
    {
      std::lock_guard lock(mutex_);
      requests_.push_back({id, parser.release()});
      r = next_reply();
    }
    cv_.notify_all();
    std::error_code ignored;
    switch (r.what) {
      case reply::kind::blackhole:
        for (;;) {  // read and discard until the client goes away
          auto [ec, n] = co_await stream.async_read_some(asio::buffer(buf), as_value);
          if (ec) co_return;
        }
      case reply::kind::close:
        socket.close(ignored);
        co_return;
      case reply::kind::reset:
        socket.set_option(asio::socket_base::linger(true, 0), ignored);
        socket.close(ignored);
        co_return;
      case reply::kind::garbage: {
        const std::string junk = "SSH-2.0-garbage\r\n\x01\x02\x03\r\n\r\n";
        co_await asio::async_write(stream, asio::buffer(junk), as_value);
        socket.close(ignored);
        co_return;
      }
      case reply::kind::respond: {
        http::response res{.status = r.status, .reason = {}, .headers = r.headers, .body = r.body,
                           .keep_alive = r.keep_alive};
        auto wire = http::serialize_response(res);
        auto [ec, n] = co_await asio::async_write(stream, asio::buffer(wire), as_value);
        if (ec || !r.keep_alive) co_return;
        break;
      }
    }
  }
}

}  // namespace flowtrack::test
