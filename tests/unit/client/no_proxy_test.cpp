// Table tests of NO_PROXY matching (curl's rules: suffixes, "*", IP literals and CIDR blocks,
// ports ignored).
#include "transport/no_proxy.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace flowtrack::detail {
namespace {

TEST(NoProxy, Matches) {
  struct row {
    std::string list;
    std::string host;
    bool bypass;
  };
  const std::vector<row> rows = {
      {"", "api.segment.io", false},
      {" , ", "api.segment.io", false},
      {"*", "api.segment.io", true},
      {" * ", "10.1.2.3", true},
      {"localhost,*", "api.segment.io", false},  // "*" only alone, as curl
      {"segment.io", "segment.io", true},
      {"segment.io", "api.segment.io", true},
      {".segment.io", "api.segment.io", true},
      {".segment.io", "segment.io", true},
      {"segment.io", "badsegment.io", false},
      {"api.segment.io", "segment.io", false},
      {"SEGMENT.io", "Api.Segment.IO", true},
      {"segment.io.", "api.segment.io", true},  // trailing dots on either side
      {"segment.io", "api.segment.io.", true},
      {"example.com, segment.io", "api.segment.io", true},
      {"example.com segment.io", "api.segment.io", true},
      {"example.com,\tsegment.io", "api.segment.io", true},
      {"segment.io:8443", "api.segment.io", true},  // the port is ignored
      {"localhost", "localhost", true},
      {"localhost", "127.0.0.1", false},  // names never match addresses
      {"127.0.0.1", "127.0.0.1", true},
      {"127.0.0.1", "127.0.0.2", false},
      {"127.0.0.1:8080", "127.0.0.1", true},
      {"127.0.0.0/8", "127.9.9.9", true},
      {"10.0.0.0/8", "11.0.0.1", false},
      {"192.168.1.0/24", "192.168.1.77", true},
      {"192.168.1.0/24", "192.168.2.1", false},
      {"0.0.0.0/0", "8.8.8.8", true},
      {"10.0.0.0/33", "10.0.0.1", false},
      {"10.0.0.0/x", "10.0.0.1", false},
      {"::1", "::1", true},
      {"::1", "[::1]", true},
      {"[::1]", "::1", true},
      {"[::1]:8080", "::1", true},
      {"fd00::/8", "fd12:3456::1", true},
      {"fd00::/8", "fe80::1", false},
      {"::1", "127.0.0.1", false},
      {"127.0.0.1", "::1", false},
      {"1.2.3.4", "1.2.3.4.example.com", false},
  };
  for (const auto& r : rows)
    EXPECT_EQ(no_proxy_matches(r.list, r.host), r.bypass) << "NO_PROXY='" << r.list << "' host '" << r.host << "'";
}

}  // namespace
}  // namespace flowtrack::detail
