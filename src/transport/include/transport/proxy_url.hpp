// A proxy URL as HTTPS_PROXY, HTTP_PROXY and config::proxy give it:
// "[http://][user[:password]@]host[:port][/]". Pure: no I/O, no environment.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

namespace flowtrack::detail {

/// The proxy listens on this port when the URL names none (as curl assumes).
inline constexpr std::uint16_t default_proxy_port = 1080;

struct proxy_url {
  std::string host;  ///< name or address, without IPv6 brackets
  std::uint16_t port = default_proxy_port;
  std::string username;  ///< percent-decoded; empty: no Proxy-Authorization
  std::string password;  ///< percent-decoded

  /// "http://host:port" (IPv6 bracketed): what logs and diagnostics may show, never the credentials.
  std::string redacted() const;
};

/// Parses `text`. The scheme is optional (none means http://); only http:// proxies are
/// supported (https:// and socks proxies are refused). The credentials are percent-decoded;
/// a path of "/" is accepted, any other path, a query or a fragment is not.
/// Errors: errc::proxy_invalid (`out` unchanged). Thread-safe.
std::error_code parse_proxy_url(std::string_view text, proxy_url& out);

/// "host" or "[v6]" followed by ":port": the authority of a CONNECT request or a log line.
std::string host_and_port(std::string_view host, std::uint16_t port);

}  // namespace flowtrack::detail
