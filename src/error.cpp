#include "flowtrack/error.hpp"

namespace flowtrack {
namespace {

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "flowtrack"; }

  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::invalid_message: return "invalid message";
      case errc::invalid_utf8: return "string is not valid UTF-8";
      case errc::invalid_number: return "number is NaN or infinite";
      case errc::message_too_large: return "message larger than 32 KB";
      case errc::nesting_too_deep: return "JSON nested too deeply";
      case errc::queue_full: return "queue full, message dropped";
      case errc::closed: return "client closed";
      case errc::resolve_failed: return "host name did not resolve";
      case errc::resolve_timeout: return "host name resolution timed out";
      case errc::connect_failed: return "connection refused or unreachable";
      case errc::connect_timeout: return "connect timed out";
      case errc::tls_handshake_failed: return "TLS handshake failed";
      case errc::tls_handshake_timeout: return "TLS handshake timed out";
      case errc::request_timeout: return "request timed out";
      case errc::connection_closed: return "connection closed before a response";
      case errc::bad_response: return "malformed or oversized HTTP response";
      case errc::http_status: return "request rejected by the server";
      case errc::retries_exhausted: return "retries exhausted";
      case errc::deadline_reached: return "close deadline reached";
      case errc::invalid_config: return "invalid configuration";
      case errc::spool_io: return "spool I/O error";
      case errc::spool_full: return "spool full (spool_max_bytes)";
      case errc::spool_locked: return "spool locked by another process";
      case errc::spool_corrupt: return "spool record corrupt";
      case errc::not_regular_file: return "not a regular file (FIFO, socket, device, directory or symlink)";
      case errc::file_too_large: return "file over its size cap";
      case errc::proxy_auth_required: return "proxy authentication required (407)";
      case errc::proxy_refused: return "the proxy refused the tunnel";
      case errc::proxy_invalid: return "the proxy URL from the environment is not usable";
    }
    return "unknown flowtrack error";
  }
};

}  // namespace

const std::error_category& error_category() noexcept {
  static const category instance;
  return instance;
}

}  // namespace flowtrack
