#include "transport/proxy_url.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <utility>

#include <asio/ip/address_v6.hpp>

#include "flowtrack/error.hpp"

namespace flowtrack::detail {
namespace {

bool starts_with_ignoring_case(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), s.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
         });
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 3986 percent-decoding; false on a '%' not followed by two hex digits.
bool percent_decode(std::string_view in, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return false;
    const int hi = hex_value(in[i + 1]);
    const int lo = hex_value(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return true;
}

bool valid_host_name(std::string_view host) {
  return !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
  });
}

bool parse_port(std::string_view text, std::uint16_t& port) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value == 0 || value > 65535) return false;
  port = static_cast<std::uint16_t>(value);
  return true;
}

}  // namespace

std::string host_and_port(std::string_view host, std::uint16_t port) {
  std::string out = host.find(':') != std::string_view::npos ? "[" + std::string(host) + "]" : std::string(host);
  return out + ":" + std::to_string(port);
}

std::string proxy_url::redacted() const { return "http://" + host_and_port(host, port); }

std::error_code parse_proxy_url(std::string_view text, proxy_url& out) {
  const std::error_code bad = errc::proxy_invalid;
  if (starts_with_ignoring_case(text, "http://")) {
    text.remove_prefix(7);
  } else if (text.find("://") != std::string_view::npos) {
    return bad;  // https://, socks5://...: not supported
  }
  std::string_view authority = text.substr(0, text.find('/'));
  const std::string_view path = text.substr(authority.size());
  if (!path.empty() && path != "/") return bad;
  if (authority.find_first_of("?# \t\r\n") != std::string_view::npos) return bad;

  proxy_url url;
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = authority.substr(0, at);
    authority.remove_prefix(at + 1);
    const auto colon = userinfo.find(':');
    if (!percent_decode(userinfo.substr(0, colon), url.username)) return bad;
    if (colon != std::string_view::npos && !percent_decode(userinfo.substr(colon + 1), url.password)) return bad;
    if (url.username.empty()) return bad;
  }

  std::string_view port_text;
  bool has_port = false;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return bad;
    url.host = authority.substr(1, close - 1);
    std::error_code v6;
    (void)asio::ip::make_address_v6(url.host, v6);
    if (v6) return bad;
    const std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return bad;
      port_text = rest.substr(1);
      has_port = true;
    }
  } else {
    const auto colon = authority.find(':');
    url.host = authority.substr(0, colon);
    if (!valid_host_name(url.host)) return bad;
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      has_port = true;
    }
  }
  if (has_port && !parse_port(port_text, url.port)) return bad;
  out = std::move(url);
  return {};
}

}  // namespace flowtrack::detail
