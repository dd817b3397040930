// The Authorization header value Segment expects: Basic base64("<writeKey>:").
#pragma once

#include <string>
#include <string_view>

#include "transport/base64.hpp"

namespace flowtrack::detail {

std::string basic_auth_value(std::string_view write_key);

}  // namespace flowtrack::detail
