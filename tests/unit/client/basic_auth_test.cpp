// The Authorization header: Basic base64("<writeKey>:"), base64 by RFC 4648's test vectors.
#include "client/basic_auth.hpp"

#include <gtest/gtest.h>

namespace flowtrack::test {
namespace {

TEST(BasicAuth, Rfc4648Vectors) {
  const std::pair<const char*, const char*> table[] = {{"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},
                                                       {"foo", "Zm9v"},  {"foob", "Zm9vYg=="},  {"fooba", "Zm9vYmE="},
                                                       {"foobar", "Zm9vYmFy"}};
  for (const auto& [in, out] : table) EXPECT_EQ(detail::base64_encode(in), out) << in;
  EXPECT_EQ(detail::base64_encode(std::string("\0\xff\xfe", 3)), "AP/+");
}

TEST(BasicAuth, TheWriteKeyWithAColon) {
  EXPECT_EQ(detail::basic_auth_value("KEY"), "Basic S0VZOg==");  // "KEY:"
  EXPECT_EQ(detail::basic_auth_value(""), "Basic Og==");         // ":"
}

}  // namespace
}  // namespace flowtrack::test
