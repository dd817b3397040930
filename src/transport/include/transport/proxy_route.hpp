// Which way the requests to the endpoint go: directly, through a CONNECT tunnel (https
// endpoints) or as absolute-form requests to a forward proxy (http endpoints). Decided once, at
// client construction, from config::proxy and the proxy environment variables. Pure.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <system_error>

#include "flowtrack/endpoint.hpp"
#include "transport/proxy_url.hpp"

namespace flowtrack::detail {

/// The proxy variables, as read from the environment (curl's names and order).
struct proxy_environment {
  std::string https_proxy;  ///< https_proxy, else HTTPS_PROXY
  std::string http_proxy;   ///< http_proxy, else HTTP_PROXY (not under CGI: REQUEST_METHOD set)
  std::string no_proxy;     ///< no_proxy, else NO_PROXY
  std::string https_proxy_name = "HTTPS_PROXY";  ///< which variable set https_proxy (for logs)
  std::string http_proxy_name = "HTTP_PROXY";

  friend bool operator==(const proxy_environment&, const proxy_environment&) = default;
};

/// Reads the variables through `get` (a getenv; null or empty: unset).
proxy_environment read_proxy_environment(const std::function<const char*(const char*)>& get);
/// From the process's environment.
proxy_environment read_proxy_environment();

enum class proxy_mode {
  direct,   ///< connect to the endpoint itself
  tunnel,   ///< CONNECT host:port through the proxy, then TLS to the endpoint inside it
  forward,  ///< send each request to the proxy in absolute form (http://host/path)
};

struct proxy_route {
  proxy_mode mode = proxy_mode::direct;
  proxy_url proxy;  ///< tunnel, forward: the proxy (its credentials included)
  /// "Basic base64(user:password)" when the proxy URL has credentials, else empty. Sent as
  /// Proxy-Authorization on the CONNECT request (tunnel) or on every request (forward); never
  /// logged.
  std::string authorization;
  /// The request line's target: the endpoint's path (origin form), or for `forward` the
  /// absolute URL "http://host[:port]/path".
  std::string request_target;
  /// Set when the proxy the environment names cannot be used (errc::proxy_invalid): every
  /// connection attempt fails with it.
  std::error_code unusable;
  /// For logs: "direct", "direct (NO_PROXY)", "via http://proxy:3128 (HTTPS_PROXY)"... never
  /// the credentials.
  std::string description;
};

/// config::proxy's value that turns proxying off whatever the environment says.
inline constexpr std::string_view proxy_direct = "direct";

/// Checks config::proxy: "", "direct" or a proxy URL (parse_proxy_url). Errors: errc::proxy_invalid.
std::error_code check_proxy_setting(std::string_view configured);

/// The route to `ep`. `configured` is config::proxy: "direct" -> direct; a proxy URL -> that
/// proxy for every endpoint (the environment is not read, NO_PROXY included); "" -> the
/// environment: https_proxy for https endpoints, http_proxy for http ones, unless `no_proxy`
/// matches the endpoint's host (no_proxy_matches). A configured URL that does not parse is
/// refused earlier (check_proxy_setting); one from the environment gives a route whose
/// `unusable` is errc::proxy_invalid. Thread-safe.
proxy_route choose_proxy_route(std::string_view configured, const proxy_environment& env, const endpoint_url& ep);

}  // namespace flowtrack::detail
