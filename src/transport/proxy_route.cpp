#include "transport/proxy_route.hpp"

#include <cstdlib>
#include <utility>

#include "flowtrack/error.hpp"
#include "transport/base64.hpp"
#include "transport/no_proxy.hpp"

namespace flowtrack::detail {
namespace {

// The first of `names` that is set and not empty; `which` says which one.
std::string first_set(const std::function<const char*(const char*)>& get, std::initializer_list<const char*> names,
                      std::string* which = nullptr) {
  for (const char* name : names) {
    const char* value = get(name);
    if (value != nullptr && *value != '\0') {
      if (which) *which = name;
      return value;
    }
  }
  return {};
}

proxy_route via(const proxy_url& proxy, const endpoint_url& ep, std::string_view source) {
  proxy_route r;
  r.mode = ep.tls ? proxy_mode::tunnel : proxy_mode::forward;
  r.proxy = proxy;
  if (!proxy.username.empty()) r.authorization = basic_credentials(proxy.username, proxy.password);
  r.request_target = ep.tls ? ep.batch_target : "http://" + ep.host_header + ep.batch_target;
  r.description = "via " + proxy.redacted() + " (" + std::string(source) + ")";
  return r;
}

proxy_route direct(const endpoint_url& ep, std::string description) {
  proxy_route r;
  r.request_target = ep.batch_target;
  r.description = std::move(description);
  return r;
}

}  // namespace

proxy_environment read_proxy_environment(const std::function<const char*(const char*)>& get) {
  proxy_environment env;
  env.https_proxy = first_set(get, {"https_proxy", "HTTPS_PROXY"}, &env.https_proxy_name);
  // HTTP_PROXY is what a CGI program sees of a request's "Proxy:" header ("httpoxy"): not
  // trusted there, as curl and Go do not.
  const char* cgi = get("REQUEST_METHOD");
  if (cgi != nullptr && *cgi != '\0') {
    env.http_proxy = first_set(get, {"http_proxy"}, &env.http_proxy_name);
  } else {
    env.http_proxy = first_set(get, {"http_proxy", "HTTP_PROXY"}, &env.http_proxy_name);
  }
  env.no_proxy = first_set(get, {"no_proxy", "NO_PROXY"});
  return env;
}

proxy_environment read_proxy_environment() {
  return read_proxy_environment([](const char* name) { return std::getenv(name); });  // NOLINT(concurrency-mt-unsafe): read once at construction
}

std::error_code check_proxy_setting(std::string_view configured) {
  if (configured.empty() || configured == proxy_direct) return {};
  proxy_url ignored;
  return parse_proxy_url(configured, ignored);
}

proxy_route choose_proxy_route(std::string_view configured, const proxy_environment& env, const endpoint_url& ep) {
  if (configured == proxy_direct) return direct(ep, "direct (config::proxy)");
  if (!configured.empty()) {
    proxy_url proxy;
    if (auto ec = parse_proxy_url(configured, proxy)) {
      proxy_route r = direct(ep, "unusable proxy (config::proxy)");
      r.unusable = ec;
      return r;
    }
    return via(proxy, ep, "config::proxy");
  }
  const std::string& value = ep.tls ? env.https_proxy : env.http_proxy;
  const std::string& name = ep.tls ? env.https_proxy_name : env.http_proxy_name;
  if (value.empty()) return direct(ep, "direct");
  if (no_proxy_matches(env.no_proxy, ep.host)) return direct(ep, "direct (NO_PROXY)");
  proxy_url proxy;
  if (auto ec = parse_proxy_url(value, proxy)) {
    proxy_route r = direct(ep, "unusable proxy URL in " + name);
    r.unusable = ec;
    return r;
  }
  return via(proxy, ep, name);
}

}  // namespace flowtrack::detail
