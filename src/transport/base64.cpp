#include "transport/base64.hpp"

#include <openssl/evp.h>

namespace flowtrack::detail {

// OpenSSL's encoder (already linked for TLS) rather than a hand-written one.
std::string base64_encode(std::string_view in) {
  std::string out((in.size() + 2) / 3 * 4 + 1, '\0');  // + the NUL EVP_EncodeBlock writes
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  return out;
}

std::string basic_credentials(std::string_view user, std::string_view password) {
  std::string pair;
  pair.reserve(user.size() + 1 + password.size());
  pair.append(user).append(1, ':').append(password);
  return "Basic " + base64_encode(pair);
}

}  // namespace flowtrack::detail
