// The Authorization header value Segment expects: Basic base64("<writeKey>:").
#pragma once

#include <string>
#include <string_view>

namespace flowtrack::detail {

std::string base64_encode(std::string_view in);
inline std::string basic_auth_value(std::string_view write_key) {
  return "Basic " + base64_encode(std::string(write_key) + ":");
}

}  // namespace flowtrack::detail
