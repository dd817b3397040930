// Why a batch ended as it did: the cause behind an outcome code, for callers and tests.
#pragma once

#include <system_error>

namespace flowtrack {

/// The cause of a batch's outcome, beyond the outcome code itself. An outcome such as
/// errc::retries_exhausted says that delivery gave up; this says what the last attempt met.
///
/// All zero/empty for a batch that was delivered at the first attempt... except `attempts` (1).
struct diagnostics {
  /// The error of the last attempt: a transport code (errc::connect_failed, resolve_failed,
  /// request_timeout, tls_handshake_failed, connection_closed, bad_response...) or
  /// errc::http_status when the server answered with a status that is not 2xx. Empty when
  /// the last attempt was answered with a 2xx, or no attempt was made.
  std::error_code last_error;
  /// The HTTP status of the last response received (0: no response was received).
  int http_status = 0;
  /// Requests made for these messages (the first included, retries and split halves counted).
  int attempts = 0;

  friend bool operator==(const diagnostics&, const diagnostics&) = default;
};

}  // namespace flowtrack
