#include "transport/endpoint.hpp"

#include <charconv>

#include "flowtrack/error.hpp"

namespace flowtrack {

std::error_code parse_endpoint(std::string_view url, endpoint_url& out) {
  const std::error_code bad = errc::invalid_config;
  endpoint_url ep;
  if (url.starts_with("https://")) {
    ep.tls = true;
    ep.port = 443;
    url.remove_prefix(8);
  } else if (url.starts_with("http://")) {
    ep.tls = false;
    ep.port = 80;
    url.remove_prefix(7);
  } else {
    return bad;
  }
  if (url.find_first_of("?#@ ") != std::string_view::npos) return bad;
  std::string_view authority = url.substr(0, url.find('/'));
  std::string_view path = url.substr(authority.size());
  while (path.ends_with('/')) path.remove_suffix(1);

  std::string_view port_text;
  if (authority.starts_with('[')) {  // IPv6 literal
    auto close = authority.find(']');
    if (close == std::string_view::npos) return bad;
    ep.host = authority.substr(1, close - 1);
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return bad;
      port_text = rest.substr(1);
    }
  } else {
    auto colon = authority.find(':');
    ep.host = authority.substr(0, colon);
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (ep.host.empty()) return bad;
  bool explicit_port = false;
  if (!port_text.empty() || authority.ends_with(':')) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() || value == 0 || value > 65535)
      return bad;
    explicit_port = value != (ep.tls ? 443u : 80u);
    ep.port = static_cast<std::uint16_t>(value);
  }
  ep.base_path = path;
  ep.batch_target = ep.base_path + "/v1/batch";
  ep.host_header = ep.host.find(':') != std::string::npos ? "[" + ep.host + "]" : ep.host;
  if (explicit_port) ep.host_header += ":" + std::to_string(ep.port);
  out = std::move(ep);
  return {};
}

}  // namespace flowtrack
