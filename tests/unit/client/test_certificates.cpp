#include "test_certificates.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <memory>
#include <random>
#include <stdexcept>

namespace flowtrack::test {
namespace {

using key_ptr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using cert_ptr = std::unique_ptr<X509, decltype(&X509_free)>;

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test PKI: ") + what);
}

key_ptr make_key() {
  key_ptr key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  check(key != nullptr, "key generation");
  return key;
}

void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  check(ext != nullptr, "extension");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

cert_ptr make_cert(EVP_PKEY* key, const char* common_name, X509* issuer, EVP_PKEY* issuer_key, bool is_ca,
                   const std::string& san = {}, bool expired = false) {
  cert_ptr cert(X509_new(), X509_free);
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), static_cast<long>(std::random_device{}() & 0x7fffffff));
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), expired ? -2L * 24 * 3600 : -3600L);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), expired ? -24L * 3600 : 24L * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name), -1, -1, 0);
  X509* signer = issuer ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  if (is_ca) {
    add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_extension(cert.get(), signer, NID_basic_constraints, "CA:FALSE");
    add_extension(cert.get(), signer, NID_subject_alt_name, san.c_str());
    add_extension(cert.get(), signer, NID_ext_key_usage, "serverAuth");
  }
  check(X509_sign(cert.get(), issuer_key ? issuer_key : key, EVP_sha256()) > 0, "sign");
  return cert;
}

void write_pem(const std::filesystem::path& path, X509* cert, EVP_PKEY* key) {
  FILE* f = std::fopen(path.c_str(), "w");
  check(f != nullptr, "open PEM file");
  bool ok = cert ? PEM_write_X509(f, cert) == 1 : PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  std::fclose(f);
  check(ok, "write PEM");
}

}  // namespace

test_pki make_test_pki(const std::string& name, const std::string& subject_alt_names, leaf_kind leaf) {
  test_pki pki;
  pki.dir = std::filesystem::temp_directory_path() /
            ("flowtrack-pki-" + name + "-" + std::to_string(std::random_device{}()));
  std::filesystem::create_directories(pki.dir);
  auto ca_key = make_key();
  auto ca = make_cert(ca_key.get(), ("flowtrack test CA " + name).c_str(), nullptr, nullptr, true);
  auto server_key = make_key();
  const bool self_signed = leaf == leaf_kind::self_signed;
  auto server = make_cert(server_key.get(), "localhost", self_signed ? nullptr : ca.get(),
                          self_signed ? nullptr : ca_key.get(), false, subject_alt_names, leaf == leaf_kind::expired);
  pki.ca_cert = pki.dir / "ca.pem";
  pki.server_cert = pki.dir / "server.pem";
  pki.server_key = pki.dir / "server.key";
  write_pem(pki.ca_cert, ca.get(), nullptr);
  write_pem(pki.server_cert, server.get(), nullptr);
  write_pem(pki.server_key, nullptr, server_key.get());
  return pki;
}

}  // namespace flowtrack::test
