#include "support/hostile_server.hpp"

#include <openssl/ssl.h>

#include <array>
#include <memory>
#include <stdexcept>
#include <tuple>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "http/http_codec.hpp"

namespace flowtrack::test {
namespace {

constexpr auto as_value = asio::experimental::as_tuple(asio::use_awaitable);
constexpr std::uint64_t one_gib = 1ull << 30;
constexpr std::size_t block_bytes = std::size_t{64} * 1024;

std::string huge_head() {
  return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(one_gib) +
         "\r\n\r\n";
}

std::string filler_lines() {
  const std::string line = "X-Filler: " + std::string(1000, 'a') + "\r\n";
  std::string block;
  while (block.size() + line.size() <= block_bytes) block += line;
  return block;
}

std::string trickled_response() {
  const std::string body = std::string(4096, ' ') + R"({"success":true})";
  return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body;
}

const std::string bad_request =
    "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 11\r\nConnection: close\r\n\r\n"
    "Bad Request";
const std::string ok_response =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 16\r\nConnection: close\r\n\r\n"
    R"({"success":true})";

asio::ssl::context make_server_context(const hostile_tls& t) {
  asio::ssl::context ctx(asio::ssl::context::tls_server);
  ctx.use_certificate_chain_file(t.cert_file);
  ctx.use_private_key_file(t.key_file, asio::ssl::context::pem);
  SSL_CTX* native = ctx.native_handle();
  if (!t.cipher_list.empty() && SSL_CTX_set_cipher_list(native, t.cipher_list.c_str()) != 1)
    throw std::runtime_error("hostile_server: bad cipher list");
  if (t.min_version != 0 && SSL_CTX_set_min_proto_version(native, t.min_version) != 1)
    throw std::runtime_error("hostile_server: bad minimum TLS version");
  if (t.max_version != 0 && SSL_CTX_set_max_proto_version(native, t.max_version) != 1)
    throw std::runtime_error("hostile_server: bad maximum TLS version");
  return ctx;
}

asio::ip::tcp::socket& lowest_layer(asio::ip::tcp::socket& s) { return s; }
asio::ip::tcp::socket& lowest_layer(asio::ssl::stream<asio::ip::tcp::socket>& s) { return s.next_layer(); }

}  // namespace

hostile_options plain_server(misbehaviour what, std::chrono::milliseconds trickle_interval) {
  hostile_options o;
  o.what = what;
  o.trickle_interval = trickle_interval;
  return o;
}

hostile_options tls_server(misbehaviour what, const std::string& cert_file, const std::string& key_file) {
  hostile_options o;
  o.what = what;
  o.tls.emplace();
  o.tls->cert_file = cert_file;
  o.tls->key_file = key_file;
  return o;
}

hostile_server::hostile_server(hostile_options options)
    : options_(std::move(options)), acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
  if (options_.tls) tls_.emplace(make_server_context(*options_.tls));
  port_ = acceptor_.local_endpoint().port();
  accept_loop();
  thread_ = std::thread([this] { io_.run(); });
}

hostile_server::~hostile_server() {
  io_.stop();
  thread_.join();
}

std::string hostile_server::http_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
std::string hostile_server::https_url() const { return "https://localhost:" + std::to_string(port_); }

std::vector<hostile_connection> hostile_server::connections() const {
  std::lock_guard lock(mutex_);
  return connections_;
}

bool hostile_server::wait_until_finished(std::size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return cv_.wait_for(lock, timeout, [&] {
    std::size_t finished = 0;
    for (const auto& c : connections_) finished += c.finished ? 1 : 0;
    return finished >= n;
  });
}

template <class Change>
void hostile_server::update(std::size_t index, Change change) {
  {
    std::lock_guard lock(mutex_);
    change(connections_[index]);
  }
  cv_.notify_all();
}

void hostile_server::accept_loop() {
  asio::co_spawn(io_, [this]() -> asio::awaitable<void> {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(as_value);
      if (ec) co_return;
      std::size_t index = 0;
      {
        std::lock_guard lock(mutex_);
        index = connections_.size();
        connections_.emplace_back();
      }
      if (tls_) {
        auto stream = std::make_shared<asio::ssl::stream<asio::ip::tcp::socket>>(std::move(socket), *tls_);
        asio::co_spawn(io_, [this, index, stream]() -> asio::awaitable<void> {
          // No structured bindings here: clang 14 lambdas cannot capture them.
          const std::error_code hs = std::get<0>(co_await stream->async_handshake(asio::ssl::stream_base::server, as_value));
          if (hs) {
            update(index, [&](hostile_connection& c) {
              c.handshake_error = hs.message();
              c.finished = true;
            });
            co_return;
          }
          const std::string version = SSL_get_version(stream->native_handle());
          update(index, [&](hostile_connection& c) {
            c.handshake_done = true;
            c.tls_version = version;
          });
          co_await serve(stream, index);
        }, asio::detached);
      } else {
        auto s = std::make_shared<asio::ip::tcp::socket>(std::move(socket));
        asio::co_spawn(io_, [this, index, s]() -> asio::awaitable<void> { co_await serve(s, index); }, asio::detached);
      }
    }
  }, asio::detached);
}

template <class Stream>
asio::awaitable<bool> hostile_server::send(std::shared_ptr<Stream> stream, std::size_t index, std::string_view bytes) {
  std::error_code ec;
  std::size_t n = 0;
  std::tie(ec, n) = co_await asio::async_write(*stream, asio::buffer(bytes), as_value);
  update(index, [&](hostile_connection& c) {
    c.bytes_sent += n;
    if (ec) c.peer_gone = true;
  });
  co_return !ec;
}

template <class Stream>
asio::awaitable<void> hostile_server::serve(std::shared_ptr<Stream> stream, std::size_t index) {
  std::array<char, 16384> buf;
  http::request_parser parser{{.header_bytes = 65536, .body_bytes = 8 << 20}};
  bool whole_request = false;
  while (!whole_request) {
    std::error_code ec;
    std::size_t n = 0;
    std::tie(ec, n) = co_await stream->async_read_some(asio::buffer(buf), as_value);
    const std::string_view got(buf.data(), n);
    update(index, [&](hostile_connection& c) {
      if (c.first_bytes.size() < 64) c.first_bytes += got.substr(0, 64 - c.first_bytes.size());
      c.bytes_received += n;
      if (ec) c.peer_gone = true;
    });
    if (ec) break;
    // A plain HTTP server answers whatever it cannot parse, a TLS ClientHello included.
    if (options_.what == misbehaviour::plain_http_400) break;
    if (parser.feed(got)) break;
    whole_request = parser.done();
  }
  if (whole_request) {
    update(index, [](hostile_connection& c) { c.request_received = true; });
    co_await misbehave(stream, index);
  } else if (options_.what == misbehaviour::plain_http_400 && !connections()[index].peer_gone) {
    co_await send(stream, index, bad_request);
  }
  std::error_code ignored;
  lowest_layer(*stream).close(ignored);
  update(index, [](hostile_connection& c) { c.finished = true; });
}

template <class Stream>
asio::awaitable<void> hostile_server::misbehave(std::shared_ptr<Stream> stream, std::size_t index) {
  switch (options_.what) {
    case misbehaviour::huge_content_length: {
      if (!co_await send(stream, index, huge_head())) co_return;
      const std::string block(block_bytes, 'a');
      for (std::uint64_t sent = 0; sent < one_gib; sent += block.size())
        if (!co_await send(stream, index, block)) co_return;
      co_return;
    }
    case misbehaviour::endless_chunked_body: {
      if (!co_await send(stream, index, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"))
        co_return;
      const std::string chunk = "10000\r\n" + std::string(block_bytes, 'a') + "\r\n";
      while (co_await send(stream, index, chunk)) {
      }
      co_return;
    }
    case misbehaviour::endless_headers: {
      if (!co_await send(stream, index, "HTTP/1.1 200 OK\r\n")) co_return;
      const std::string lines = filler_lines();
      while (co_await send(stream, index, lines)) {
      }
      co_return;
    }
    case misbehaviour::trickle: {
      const std::string response = trickled_response();
      asio::steady_timer timer(stream->get_executor());
      for (char byte : response) {
        if (!co_await send(stream, index, std::string_view(&byte, 1))) co_return;
        timer.expires_after(options_.trickle_interval);
        co_await timer.async_wait(as_value);
      }
      co_return;
    }
    case misbehaviour::interim_then_ok:
      co_await send(stream, index, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\n\r\n" + ok_response);
      co_return;
    case misbehaviour::endless_interim: {
      asio::steady_timer timer(stream->get_executor());
      while (co_await send(stream, index, "HTTP/1.1 100 Continue\r\n\r\n")) {
        timer.expires_after(options_.trickle_interval);
        co_await timer.async_wait(as_value);
      }
      co_return;
    }
    case misbehaviour::plain_http_400:
    case misbehaviour::ok:
      co_await send(stream, index, options_.what == misbehaviour::ok ? ok_response : bad_request);
      co_return;
  }
}

}  // namespace flowtrack::test
