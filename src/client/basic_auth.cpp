#include "client/basic_auth.hpp"

namespace flowtrack::detail {

std::string basic_auth_value(std::string_view write_key) {
  return "Basic " + base64_encode(std::string(write_key) + ":");
}

}  // namespace flowtrack::detail
