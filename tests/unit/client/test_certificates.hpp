// Test PKI made at test time with OpenSSL: a CA and a server certificate it signs, for
// "localhost" and 127.0.0.1, written as PEM files into a fresh temporary directory. The server
// certificate can also be made expired, or self-signed (the CA then signs nothing).
#pragma once

#include <filesystem>
#include <string>
#include <system_error>
#include <utility>

namespace flowtrack::test {

/// Owns its directory: removed with everything in it when the test_pki is destroyed.
struct test_pki {
  std::filesystem::path dir;
  std::filesystem::path ca_cert;      ///< trust anchor to give the client
  std::filesystem::path server_cert;  ///< leaf, signed by ca_cert
  std::filesystem::path server_key;

  test_pki() = default;
  test_pki(test_pki&& other) noexcept
      : dir(std::exchange(other.dir, {})),
        ca_cert(std::move(other.ca_cert)),
        server_cert(std::move(other.server_cert)),
        server_key(std::move(other.server_key)) {}
  test_pki& operator=(test_pki&&) = delete;
  ~test_pki() {
    std::error_code ignored;
    if (!dir.empty()) std::filesystem::remove_all(dir, ignored);
  }
};

/// What the server certificate is like.
enum class leaf_kind {
  valid,        ///< signed by the CA, valid from an hour ago to a day from now
  expired,      ///< signed by the CA, valid from two days ago to one day ago
  self_signed,  ///< signed by its own key, valid now
};

/// Creates a CA and a server certificate (signed by it unless self_signed), naming
/// `subject_alt_names`. Throws std::runtime_error on failure.
test_pki make_test_pki(const std::string& name, const std::string& subject_alt_names = "DNS:localhost,IP:127.0.0.1",
                       leaf_kind leaf = leaf_kind::valid);

}  // namespace flowtrack::test
