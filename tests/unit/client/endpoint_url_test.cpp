// Table tests of the one URL parser (flowtrack/endpoint.hpp): the client's endpoint and the
// demo's update check both read their URLs with it.
#include "flowtrack/endpoint.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "flowtrack/error.hpp"

namespace flowtrack {
namespace {

TEST(EndpointUrl, ParsesHostsPortsAndPaths) {
  struct row {
    std::string url;
    bool tls;
    std::string host;
    std::uint16_t port;
    std::string base_path, host_header;
  };
  const std::vector<row> rows = {
      {"https://api.segment.io", true, "api.segment.io", 443, "", "api.segment.io"},
      {"http://127.0.0.1:8080", false, "127.0.0.1", 8080, "", "127.0.0.1:8080"},
      {"http://127.0.0.1:80/", false, "127.0.0.1", 80, "", "127.0.0.1"},
      {"https://eu.example.com/segment/", true, "eu.example.com", 443, "/segment", "eu.example.com"},
      {"http://[::1]:9000/cli/latest-version", false, "::1", 9000, "/cli/latest-version", "[::1]:9000"},
      {"https://[2001:db8::7]", true, "2001:db8::7", 443, "", "[2001:db8::7]"},
  };
  for (const auto& r : rows) {
    endpoint_url ep;
    ASSERT_FALSE(parse_endpoint(r.url, ep)) << r.url;
    EXPECT_EQ(ep.tls, r.tls) << r.url;
    EXPECT_EQ(ep.host, r.host) << r.url;
    EXPECT_EQ(ep.port, r.port) << r.url;
    EXPECT_EQ(ep.base_path, r.base_path) << r.url;
    EXPECT_EQ(ep.batch_target, r.base_path + "/v1/batch") << r.url;
    EXPECT_EQ(ep.host_header, r.host_header) << r.url;
  }
}

TEST(EndpointUrl, RefusesWhatItCannotUse) {
  for (const char* url : {"ftp://host", "host:80", "http://", "http://:80", "http://[::1", "http://[::1]x",
                          "http://h:0", "http://h:65536", "http://h:8x", "http://u@h", "http://h/?q", "http://h/#f"}) {
    endpoint_url ep;
    EXPECT_EQ(parse_endpoint(url, ep), errc::invalid_config) << url;
  }
}

}  // namespace
}  // namespace flowtrack
