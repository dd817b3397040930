// Table tests of the route decision: config::proxy over the environment, which variable for
// which scheme, NO_PROXY, the request target and the Proxy-Authorization value.
#include "transport/proxy_route.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "flowtrack/error.hpp"

namespace flowtrack::detail {
namespace {

endpoint_url endpoint(std::string_view url) {
  endpoint_url ep;
  EXPECT_FALSE(parse_endpoint(url, ep)) << url;
  return ep;
}

proxy_environment environment(std::map<std::string, std::string> vars) {
  return read_proxy_environment([&](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  });
}

TEST(ProxyEnvironment, LowerCaseFirstAndNoUpperCaseHttpProxyUnderCgi) {
  struct row {
    std::string name;
    std::map<std::string, std::string> vars;
    std::string https, http, no;
  };
  const std::vector<row> rows = {
      {"nothing set", {}, "", "", ""},
      {"upper case", {{"HTTPS_PROXY", "a:1"}, {"HTTP_PROXY", "b:2"}, {"NO_PROXY", "c"}}, "a:1", "b:2", "c"},
      {"lower case wins",
       {{"HTTPS_PROXY", "A:1"}, {"https_proxy", "a:1"}, {"HTTP_PROXY", "B:2"}, {"http_proxy", "b:2"},
        {"NO_PROXY", "C"}, {"no_proxy", "c"}},
       "a:1", "b:2", "c"},
      {"an empty lower-case value is unset", {{"https_proxy", ""}, {"HTTPS_PROXY", "A:1"}}, "A:1", "", ""},
      {"CGI: HTTP_PROXY is a request header, ignored",
       {{"REQUEST_METHOD", "GET"}, {"HTTP_PROXY", "evil:1"}}, "", "", ""},
      {"CGI: http_proxy is still read", {{"REQUEST_METHOD", "GET"}, {"http_proxy", "b:2"}}, "", "b:2", ""},
  };
  for (const auto& r : rows) {
    const auto env = environment(r.vars);
    EXPECT_EQ(env.https_proxy, r.https) << r.name;
    EXPECT_EQ(env.http_proxy, r.http) << r.name;
    EXPECT_EQ(env.no_proxy, r.no) << r.name;
  }
  EXPECT_EQ(environment({{"https_proxy", "a:1"}}).https_proxy_name, "https_proxy");
  EXPECT_EQ(environment({{"HTTPS_PROXY", "a:1"}}).https_proxy_name, "HTTPS_PROXY");
}

TEST(ProxyRoute, Chooses) {
  struct row {
    std::string name;
    std::string configured;
    std::map<std::string, std::string> vars;
    std::string endpoint;
    proxy_mode mode;
    std::string proxy;  // redacted; empty for direct
    std::string target;
    std::string description;
  };
  const std::map<std::string, std::string> both = {{"HTTPS_PROXY", "http://secure:3128"},
                                                   {"HTTP_PROXY", "http://plain:8080"}};
  const std::vector<row> rows = {
      {"no proxy anywhere", "", {}, "https://api.segment.io", proxy_mode::direct, "", "/v1/batch", "direct"},
      {"https endpoint: HTTPS_PROXY, tunnel", "", both, "https://api.segment.io", proxy_mode::tunnel,
       "http://secure:3128", "/v1/batch", "via http://secure:3128 (HTTPS_PROXY)"},
      {"http endpoint: HTTP_PROXY, absolute form", "", both, "http://collector.local:8088/base", proxy_mode::forward,
       "http://plain:8080", "http://collector.local:8088/base/v1/batch", "via http://plain:8080 (HTTP_PROXY)"},
      {"absolute form without the default port", "", both, "http://collector.local", proxy_mode::forward,
       "http://plain:8080", "http://collector.local/v1/batch", "via http://plain:8080 (HTTP_PROXY)"},
      {"absolute form of an IPv6 endpoint", "", both, "http://[::1]:9000", proxy_mode::forward, "http://plain:8080",
       "http://[::1]:9000/v1/batch", "via http://plain:8080 (HTTP_PROXY)"},
      {"https endpoint ignores HTTP_PROXY", "", {{"HTTP_PROXY", "plain:8080"}}, "https://api.segment.io",
       proxy_mode::direct, "", "/v1/batch", "direct"},
      {"http endpoint ignores HTTPS_PROXY", "", {{"HTTPS_PROXY", "secure:3128"}}, "http://127.0.0.1:8080",
       proxy_mode::direct, "", "/v1/batch", "direct"},
      {"NO_PROXY matches: direct", "", {{"HTTPS_PROXY", "secure:3128"}, {"NO_PROXY", ".segment.io"}},
       "https://api.segment.io", proxy_mode::direct, "", "/v1/batch", "direct (NO_PROXY)"},
      {"NO_PROXY does not match", "", {{"HTTPS_PROXY", "secure:3128"}, {"no_proxy", "example.com"}},
       "https://api.segment.io", proxy_mode::tunnel, "http://secure:3128", "/v1/batch",
       "via http://secure:3128 (HTTPS_PROXY)"},
      {"config direct beats the environment", "direct", both, "https://api.segment.io", proxy_mode::direct, "",
       "/v1/batch", "direct (config::proxy)"},
      {"config URL beats the environment", "http://cfg:1", both, "https://api.segment.io", proxy_mode::tunnel,
       "http://cfg:1", "/v1/batch", "via http://cfg:1 (config::proxy)"},
      {"config URL ignores NO_PROXY", "cfg:1", {{"NO_PROXY", "*"}}, "http://10.0.0.1:80", proxy_mode::forward,
       "http://cfg:1", "http://10.0.0.1/v1/batch", "via http://cfg:1 (config::proxy)"},
      {"credentials never in the description", "", {{"https_proxy", "http://ada:s3cret@secure:3128"}},
       "https://api.segment.io", proxy_mode::tunnel, "http://secure:3128", "/v1/batch",
       "via http://secure:3128 (https_proxy)"},
  };
  for (const auto& r : rows) {
    const auto ep = endpoint(r.endpoint);
    const auto route = choose_proxy_route(r.configured, environment(r.vars), ep);
    EXPECT_EQ(route.mode, r.mode) << r.name;
    EXPECT_FALSE(route.unusable) << r.name;
    if (r.mode != proxy_mode::direct) EXPECT_EQ(route.proxy.redacted(), r.proxy) << r.name;
    EXPECT_EQ(route.request_target, r.target) << r.name;
    EXPECT_EQ(route.description, r.description) << r.name;
  }
}

TEST(ProxyRoute, BasicCredentialsFromTheUrl) {
  const auto ep = endpoint("https://api.segment.io");
  // base64("ada:p@ss:w/d") with the percent-encoded password decoded first
  EXPECT_EQ(choose_proxy_route("http://ada:p%40ss%3Aw%2Fd@proxy:3128", {}, ep).authorization,
            "Basic YWRhOnBAc3M6dy9k");
  EXPECT_EQ(choose_proxy_route("http://ada@proxy:3128", {}, ep).authorization, "Basic YWRhOg==");
  EXPECT_EQ(choose_proxy_route("http://proxy:3128", {}, ep).authorization, "");
}

TEST(ProxyRoute, AnUnusableEnvironmentProxyFailsEveryAttemptWithoutShowingIt) {
  const auto ep = endpoint("https://api.segment.io");
  const auto route = choose_proxy_route("", environment({{"HTTPS_PROXY", "socks5://ada:s3cret@proxy"}}), ep);
  EXPECT_EQ(route.unusable, errc::proxy_invalid);
  EXPECT_EQ(route.description, "unusable proxy URL in HTTPS_PROXY");
}

TEST(ProxyRoute, ConfigSettingIsChecked) {
  EXPECT_FALSE(check_proxy_setting(""));
  EXPECT_FALSE(check_proxy_setting("direct"));
  EXPECT_FALSE(check_proxy_setting("http://u:p@proxy:3128"));
  EXPECT_EQ(check_proxy_setting("https://proxy:3128"), errc::proxy_invalid);
  EXPECT_EQ(check_proxy_setting("http://proxy:0"), errc::proxy_invalid);
}

}  // namespace
}  // namespace flowtrack::detail
