// flowtrack error codes: one per cause a caller may act on.
#pragma once

#include <string>
#include <system_error>

namespace flowtrack {

/// Error conditions reported by flowtrack. Zero is success, as for every std::error_code.
enum class errc {
  // Input: returned by track()/identify()/... for the message the caller passed.
  invalid_message = 1,  ///< a required field is missing or empty (event, user/anonymous id...)
  invalid_utf8,         ///< a string is not valid UTF-8 and repair is disabled
  invalid_number,       ///< NaN or infinity in properties/traits/context
  message_too_large,    ///< encoded message over 32 KB
  nesting_too_deep,     ///< JSON value nested deeper than the encoder accepts
  // Intake
  queue_full,   ///< the queue is at capacity; the message was dropped and counted
  closed,       ///< the client is closing or closed; the message was not accepted
  // Transport, one per phase
  resolve_failed,
  resolve_timeout,
  connect_failed,
  connect_timeout,
  tls_handshake_failed,
  tls_handshake_timeout,
  request_timeout,       ///< writing the request or reading the response took too long
  connection_closed,     ///< the peer closed or reset the connection before a response
  bad_response,          ///< the response is not valid HTTP/1.1 or exceeds the limits
  // Delivery outcome
  http_status,           ///< a non-retryable HTTP status (400, 401, 403, 413...)
  retries_exhausted,     ///< retryable failures until the attempt limit or retry budget ran out
  deadline_reached,      ///< the close deadline came first; the message is pending/spooled
  // Configuration and storage
  invalid_config,
  spool_io,      ///< the spool directory or file cannot be created, written or read
  spool_full,    ///< the spool reached spool_max_bytes; what did not fit is dropped and counted
  spool_locked,
  spool_corrupt,
  not_regular_file,  ///< a state or spool file is a FIFO, socket, device, directory or symlink: not read
  file_too_large,    ///< a state file is over its size cap: not read
  // Proxies (README, "Proxies"); diagnostics::http_status holds the proxy's status
  proxy_auth_required,  ///< the proxy answered 407: its credentials are missing or refused
  proxy_refused,        ///< the proxy answered the CONNECT request with another non-2xx status
  proxy_invalid,        ///< the proxy URL taken from the environment cannot be used
};

/// The category of flowtrack::errc ("flowtrack").
const std::error_category& error_category() noexcept;

inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), error_category()};
}

}  // namespace flowtrack

template <>
struct std::is_error_code_enum<flowtrack::errc> : std::true_type {};
