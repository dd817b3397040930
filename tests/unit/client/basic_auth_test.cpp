// The Authorization header: Basic base64("<writeKey>:"), base64 by RFC 4648's test vectors, and
// the Basic credentials both the client and the proxy route build (RFC 7617).
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

TEST(BasicAuth, BasicCredentialsAreUserColonPasswordInBase64) {
  struct row {
    std::string_view user, password, value;
  };
  const row table[] = {
      {"Aladdin", "open sesame", "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="},  // RFC 7617, section 2
      {"KEY", "", "Basic S0VZOg=="},                                    // "KEY:", the write key
      {"", "", "Basic Og=="},                                           // ":"
      {"", "pw", "Basic OnB3"},                                         // ":pw"
      {"ada", "p@ss:w/d", "Basic YWRhOnBAc3M6dy9k"},                    // a colon in the password stays
      {"u\xc3\xa9", "\xe2\x82\xac", "Basic dcOpOuKCrA=="},                    // UTF-8 bytes as they are
  };
  for (const auto& r : table) {
    EXPECT_EQ(detail::basic_credentials(r.user, r.password), r.value) << r.user << ":" << r.password;
  }
  EXPECT_EQ(detail::basic_credentials(std::string_view("a\0b", 3), "c"), "Basic YQBiOmM=");  // "a\0b:c"
}

TEST(BasicAuth, TheWriteKeyWithAColon) {
  EXPECT_EQ(detail::basic_auth_value("KEY"), "Basic S0VZOg==");  // "KEY:"
  EXPECT_EQ(detail::basic_auth_value(""), "Basic Og==");         // ":"
}

}  // namespace
}  // namespace flowtrack::test
