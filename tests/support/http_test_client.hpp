// A small HTTP/1.1 client for tests: one request per connection, bounded by a timeout, built
// on Asio and the project's codec. Not for production use.
#pragma once

#include <chrono>
#include <string>
#include <system_error>

#include <nlohmann/json.hpp>

#include "http/http_codec.hpp"

namespace flowtrack::test {

struct http_result {
  std::error_code error;  ///< connect/read failure, timeout (std::errc::timed_out), EOF before a response
  http::response response;
  bool eof_without_response = false;
  nlohmann::json json() const { return nlohmann::json::parse(response.body, nullptr, false); }
};

/// `url` is http://host:port. Headers are added to Host and Content-Length, and to a POST
/// that names no Content-Type, `Content-Type: application/json`.
http_result http_call(const std::string& url, const std::string& method, const std::string& target,
                      const std::string& body, const http::fields& headers = {},
                      std::chrono::milliseconds timeout = std::chrono::seconds(10));
inline http_result http_get(const std::string& url, const std::string& target) {
  return http_call(url, "GET", target, "");
}
inline http_result http_post(const std::string& url, const std::string& target, const std::string& body,
                             const http::fields& headers = {}) {
  return http_call(url, "POST", target, body, headers);
}

/// Authorization header value for a write key (Basic base64("key:")).
std::string basic_auth(const std::string& write_key);

}  // namespace flowtrack::test
