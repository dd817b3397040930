#include "support/http_test_client.hpp"

#include <array>

#include <asio/connect.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/write.hpp>

#include "client/basic_auth.hpp"

namespace flowtrack::test {

std::string basic_auth(const std::string& write_key) { return detail::basic_auth_value(write_key); }

http_result http_call(const std::string& url, const std::string& method, const std::string& target,
                      const std::string& body, const http::fields& headers, std::chrono::milliseconds timeout) {
  http_result result;
  std::string authority = url.substr(url.find("://") + 3);
  authority = authority.substr(0, authority.find('/'));
  const auto colon = authority.rfind(':');
  std::string host = authority.substr(0, colon), port = authority.substr(colon + 1);
  if (host.starts_with('[')) host = host.substr(1, host.size() - 2);

  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  asio::ip::tcp::resolver resolver(io);
  http::fields all = headers;
  all.insert(all.begin(), {"Host", authority});
  // A body is JSON unless the caller says otherwise (mock-segment's admin POSTs require it).
  if (method == "POST" && http::find_field(headers, "Content-Type").empty())
    all.push_back({"Content-Type", "application/json"});
  const std::string wire = http::serialize_request_head(method, target, all, body.size()) + body;
  http::response_parser parser{{.header_bytes = 1 << 20, .body_bytes = 64 << 20}};
  std::array<char, 16384> buf;
  bool finished = false;

  std::function<void()> read_more = [&] {
    socket.async_read_some(asio::buffer(buf), [&](std::error_code ec, std::size_t n) {
      if (n > 0) {
        if (auto pe = parser.feed(std::string_view(buf.data(), n))) {
          result.error = pe;
          finished = true;
          return;
        }
      }
      if (parser.done()) {
        finished = true;
        return;
      }
      if (ec) {
        if (ec == asio::error::eof && parser.got_some()) {
          if (auto pe = parser.feed_eof()) result.error = pe;
        } else {
          result.error = ec;
          result.eof_without_response = ec == asio::error::eof;
        }
        finished = true;
        return;
      }
      read_more();
    });
  };
  resolver.async_resolve(host, port, [&](std::error_code ec, const asio::ip::tcp::resolver::results_type& endpoints) {
    if (ec) {
      result.error = ec;
      finished = true;
      return;
    }
    asio::async_connect(socket, endpoints, [&](std::error_code cec, const asio::ip::tcp::endpoint&) {
      if (cec) {
        result.error = cec;
        finished = true;
        return;
      }
      asio::async_write(socket, asio::buffer(wire), [&](std::error_code wec, std::size_t) {
        if (wec) {
          result.error = wec;
          finished = true;
          return;
        }
        read_more();
      });
    });
  });
  io.run_for(timeout);
  if (!finished) result.error = std::make_error_code(std::errc::timed_out);
  else if (!result.error && parser.done()) result.response = parser.release();
  return result;
}

}  // namespace flowtrack::test
