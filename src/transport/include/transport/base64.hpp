// Base64 (RFC 4648, with padding) for the Basic credentials of the Authorization and
// Proxy-Authorization headers.
#pragma once

#include <string>
#include <string_view>

namespace flowtrack::detail {

/// `in` in base64, padded with '=' to a multiple of 4 characters. Pure.
std::string base64_encode(std::string_view in);

/// The value of a Basic Authorization or Proxy-Authorization header (RFC 7617):
/// "Basic " + base64(`user` ":" `password`). Pure.
std::string basic_credentials(std::string_view user, std::string_view password);

}  // namespace flowtrack::detail
