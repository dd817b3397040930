// Table tests of the proxy URL parser (HTTPS_PROXY, HTTP_PROXY, config::proxy).
#include "transport/proxy_url.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "flowtrack/error.hpp"

namespace flowtrack::detail {
namespace {

TEST(ProxyUrl, Parses) {
  struct row {
    std::string text;
    std::string host;
    std::uint16_t port;
    std::string username, password;
  };
  const std::vector<row> rows = {
      {"http://proxy.corp:3128", "proxy.corp", 3128, "", ""},
      {"HTTP://proxy.corp:3128/", "proxy.corp", 3128, "", ""},
      {"proxy.corp:8080", "proxy.corp", 8080, "", ""},  // no scheme: http
      {"proxy.corp", "proxy.corp", 1080, "", ""},       // no port: 1080, as curl
      {"http://10.0.0.1", "10.0.0.1", 1080, "", ""},
      {"http://[::1]:3128", "::1", 3128, "", ""},
      {"http://[2001:db8::7]", "2001:db8::7", 1080, "", ""},
      {"http://ada:s3cret@proxy:3128", "proxy", 3128, "ada", "s3cret"},
      {"http://ada@proxy:3128", "proxy", 3128, "ada", ""},
      {"http://ada:@proxy:3128", "proxy", 3128, "ada", ""},
      {"http://dom%5Cada:p%40ss%3Aw%2Fd@[::1]:3128", "::1", 3128, "dom\\ada", "p@ss:w/d"},
      {"http://ada:a@b@proxy:3128", "proxy", 3128, "ada", "a@b"},  // the last @ ends the credentials
      {"http://u:p%25@proxy", "proxy", 1080, "u", "p%"},
  };
  for (const auto& r : rows) {
    proxy_url url;
    ASSERT_FALSE(parse_proxy_url(r.text, url)) << r.text;
    EXPECT_EQ(url.host, r.host) << r.text;
    EXPECT_EQ(url.port, r.port) << r.text;
    EXPECT_EQ(url.username, r.username) << r.text;
    EXPECT_EQ(url.password, r.password) << r.text;
  }
}

TEST(ProxyUrl, Refuses) {
  const std::vector<std::string> rows = {
      "",
      "http://",
      "https://proxy:443",       // TLS to the proxy: not supported
      "socks5://proxy:1080",     // nor SOCKS
      "http://proxy:0",
      "http://proxy:65536",
      "http://proxy:http",
      "http://proxy:",
      "http://[::1",
      "http://[not-v6]:3128",
      "http://[::1]3128",
      "http://proxy:3128/path",  // a path means something else
      "http://proxy:3128?x=1",
      "http://pro xy:3128",
      "http://:p@proxy:3128",    // a password without a user
      "http://u:p%2@proxy",      // a broken escape
      "http://u:p%zz@proxy",
      "http://u:p@:3128",
  };
  for (const auto& text : rows) {
    proxy_url url{.host = "unchanged"};
    EXPECT_EQ(parse_proxy_url(text, url), errc::proxy_invalid) << text;
    EXPECT_EQ(url.host, "unchanged") << text;
  }
}

TEST(ProxyUrl, RedactedShowsNoCredentials) {
  proxy_url url;
  ASSERT_FALSE(parse_proxy_url("http://ada:s3cret@[::1]:3128", url));
  EXPECT_EQ(url.redacted(), "http://[::1]:3128");
  ASSERT_FALSE(parse_proxy_url("ada:s3cret@proxy.corp", url));
  EXPECT_EQ(url.redacted(), "http://proxy.corp:1080");
}

}  // namespace
}  // namespace flowtrack::detail
