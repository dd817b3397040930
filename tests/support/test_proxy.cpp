#include "support/test_proxy.hpp"

#include <array>
#include <memory>
#include <utility>

#include <asio/co_spawn.hpp>
#include <asio/connect.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "support/accept_loop.hpp"

namespace flowtrack::test {
namespace {

using namespace asio::experimental::awaitable_operators;
constexpr auto as_value = asio::experimental::as_tuple(asio::use_awaitable);

// "host:port" / "[v6]:port" -> host and port; false when it is not that.
bool split_authority(std::string_view authority, std::string& host, std::uint16_t& port) {
  const auto colon = authority.rfind(':');
  if (colon == std::string_view::npos) return false;
  host = std::string(authority.substr(0, colon));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  try {
    port = static_cast<std::uint16_t>(std::stoul(std::string(authority.substr(colon + 1))));
  } catch (...) {
    return false;
  }
  return !host.empty() && port != 0;
}

std::string simple_response(int status, const std::string& extra_headers = {}) {
  return "HTTP/1.1 " + std::to_string(status) + " Proxy Says So\r\n" + extra_headers +
         "Content-Length: 0\r\nConnection: close\r\n\r\n";
}

// Copies `from` to `to` until either end closes.
asio::awaitable<void> pump(asio::ip::tcp::socket& from, asio::ip::tcp::socket& to) {
  std::array<char, 16384> buf;
  for (;;) {
    auto [ec, n] = co_await from.async_read_some(asio::buffer(buf), as_value);
    if (n > 0) {
      auto [wec, wn] = co_await asio::async_write(to, asio::buffer(buf.data(), n), as_value);
      if (wec) break;
    }
    if (ec) break;
  }
  std::error_code ignored;
  to.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
}

}  // namespace

test_proxy::test_proxy(test_proxy_options options)
    : options_(std::move(options)), acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
  port_ = acceptor_.local_endpoint().port();
  accept_loop();
  thread_ = std::thread([this] { io_.run(); });
}

test_proxy::~test_proxy() {
  io_.stop();
  thread_.join();
}

std::string test_proxy::url(const std::string& userinfo) const {
  return "http://" + (userinfo.empty() ? std::string() : userinfo + "@") + "127.0.0.1:" + std::to_string(port_);
}

std::size_t test_proxy::tunnels() const {
  std::lock_guard lock(mutex_);
  return tunnels_;
}
std::size_t test_proxy::forwarded() const {
  std::lock_guard lock(mutex_);
  return forwarded_;
}
std::size_t test_proxy::auth_refusals() const {
  std::lock_guard lock(mutex_);
  return auth_refusals_;
}
std::vector<std::string> test_proxy::targets() const {
  std::lock_guard lock(mutex_);
  return targets_;
}
std::vector<http::request> test_proxy::received() const {
  std::lock_guard lock(mutex_);
  return received_;
}

bool test_proxy::resolve(const std::string& host, asio::ip::address& out) const {
  if (auto it = options_.hosts.find(host); it != options_.hosts.end()) {
    out = asio::ip::make_address(it->second);
    return true;
  }
  if (host == "localhost") {
    out = asio::ip::make_address("127.0.0.1");
    return true;
  }
  std::error_code ec;
  out = asio::ip::make_address(host, ec);
  return !ec;
}

void test_proxy::accept_loop() {
  spawn_accept_loop(acceptor_, [this](asio::ip::tcp::socket socket) {
    auto client = std::make_shared<asio::ip::tcp::socket>(std::move(socket));
    asio::co_spawn(io_, serve(client), asio::detached);
  });
}

asio::awaitable<void> test_proxy::serve(std::shared_ptr<asio::ip::tcp::socket> client) {
  std::array<char, 16384> buf;
  std::string leftover;
  for (;;) {
    http::request_parser parser{{.header_bytes = 65536, .body_bytes = 8 << 20}};
    if (!leftover.empty() && parser.feed(std::exchange(leftover, {}))) co_return;
    while (!parser.done()) {
      auto [ec, n] = co_await client->async_read_some(asio::buffer(buf), as_value);
      if (ec) co_return;
      if (parser.feed(std::string_view(buf.data(), n))) co_return;
    }
    leftover = parser.take_leftover();
    http::request request = parser.release();
    const bool authorized = options_.required_authorization.empty() ||
                            request.header("Proxy-Authorization") == options_.required_authorization;
    {
      std::lock_guard lock(mutex_);
      received_.push_back(request);
      targets_.push_back(request.target);
      if (!authorized) ++auth_refusals_;
    }
    if (!authorized) {
      const std::string answer = simple_response(407, "Proxy-Authenticate: Basic realm=\"test\"\r\n");
      co_await asio::async_write(*client, asio::buffer(answer), as_value);
      co_return;
    }
    if (request.method == "CONNECT" && !options_.answer_connect) {
      for (;;) {  // until the client gives up and closes
        auto [ec, n] = co_await client->async_read_some(asio::buffer(buf), as_value);
        if (ec) co_return;
      }
    }
    if (request.method == "CONNECT") {
      co_await tunnel(client, request.target, std::move(leftover));
      co_return;
    }
    if (!co_await forward(*client, request)) co_return;
  }
}

asio::awaitable<void> test_proxy::tunnel(std::shared_ptr<asio::ip::tcp::socket> client, std::string authority,
                                         std::string leftover) {
  std::string host;
  std::uint16_t port = 0;
  asio::ip::address address;
  if (options_.connect_status / 100 != 2 || !split_authority(authority, host, port) || !resolve(host, address)) {
    const int status = options_.connect_status / 100 != 2 ? options_.connect_status : 502;
    co_await asio::async_write(*client, asio::buffer(simple_response(status)), as_value);
    co_return;
  }
  asio::ip::tcp::socket upstream(io_);
  if (auto [ec] = co_await upstream.async_connect({address, port}, as_value); ec) {
    co_await asio::async_write(*client, asio::buffer(simple_response(502)), as_value);
    co_return;
  }
  {
    std::lock_guard lock(mutex_);
    ++tunnels_;
  }
  const std::string established = "HTTP/1.1 200 Connection established\r\n\r\n";
  if (auto [ec, n] = co_await asio::async_write(*client, asio::buffer(established), as_value); ec) co_return;
  if (!leftover.empty()) co_await asio::async_write(upstream, asio::buffer(leftover), as_value);
  co_await (pump(*client, upstream) && pump(upstream, *client));
}

// Relays one absolute-form request to its server (in origin form, without the proxy's
// headers) and its response back. False when the client's connection is done.
asio::awaitable<bool> test_proxy::forward(asio::ip::tcp::socket& client, http::request& request) {
  constexpr std::string_view scheme = "http://";
  std::string host;
  std::uint16_t port = 80;
  asio::ip::address address;
  const std::string_view target = request.target;
  if (!target.starts_with(scheme)) {
    co_await asio::async_write(client, asio::buffer(simple_response(400)), as_value);
    co_return false;
  }
  const std::string_view rest = target.substr(scheme.size());
  const std::string_view authority = rest.substr(0, rest.find('/'));
  const std::string path = std::string(rest.substr(authority.size()));
  if (!split_authority(authority, host, port)) host = std::string(authority);
  if (!resolve(host, address)) {
    co_await asio::async_write(client, asio::buffer(simple_response(502)), as_value);
    co_return false;
  }
  asio::ip::tcp::socket upstream(io_);
  if (auto [ec] = co_await upstream.async_connect({address, port}, as_value); ec) {
    co_await asio::async_write(client, asio::buffer(simple_response(502)), as_value);
    co_return false;
  }
  http::fields headers;
  for (const auto& f : request.headers) {
    if (f.name == "Proxy-Authorization" || f.name == "Content-Length" || f.name == "Connection") continue;
    headers.push_back(f);
  }
  const std::string head = http::serialize_request_head(request.method, path.empty() ? "/" : path, headers,
                                                        request.body.size(), false);
  std::array<asio::const_buffer, 2> out{asio::buffer(head), asio::buffer(request.body)};
  if (auto [ec, n] = co_await asio::async_write(upstream, out, as_value); ec) co_return false;
  http::response_parser parser{{.header_bytes = 65536, .body_bytes = 8 << 20}};
  std::array<char, 16384> buf;
  while (!parser.done()) {
    auto [ec, n] = co_await upstream.async_read_some(asio::buffer(buf), as_value);
    if (n > 0 && parser.feed(std::string_view(buf.data(), n))) co_return false;
    if (ec) {
      if (parser.feed_eof()) co_return false;
      break;
    }
  }
  http::response response = parser.release();
  {
    std::lock_guard lock(mutex_);
    ++forwarded_;
  }
  response.keep_alive = request.keep_alive;
  const std::string wire = http::serialize_response(response);
  auto [ec, n] = co_await asio::async_write(client, asio::buffer(wire), as_value);
  co_return !ec && request.keep_alive;
}

}  // namespace flowtrack::test
