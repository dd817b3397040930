#include "client/basic_auth.hpp"

#include "transport/base64.hpp"

namespace flowtrack::detail {

std::string basic_auth_value(std::string_view write_key) {
  return basic_credentials(write_key, "");
}

}  // namespace flowtrack::detail
