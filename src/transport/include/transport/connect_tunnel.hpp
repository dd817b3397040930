// The HTTP CONNECT exchange that opens a tunnel through a proxy (RFC 9110, 9.3.6): the request
// text and the reading of the proxy's answer with the HTTP codec. Pure: the connection writes
// and reads the bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/http_codec.hpp"

namespace flowtrack::detail {

/// "CONNECT host:port HTTP/1.1" with Host, User-Agent and, when `authorization` is not empty,
/// Proxy-Authorization (an IPv6 host is bracketed).
std::string connect_request(std::string_view host, std::uint16_t port, std::string_view user_agent,
                            std::string_view authorization);

/// Reads the proxy's answer to a CONNECT request, fed as it arrives.
///
/// A 2xx answer opens the tunnel: its header ends it, whatever framing it claims (the RFC has
/// the client ignore Content-Length there), and nothing may follow it before the TLS
/// handshake, which the client starts. Any other answer is a refusal, read whole (its body is
/// framed as usual) for its status. Interim 1xx answers are skipped.
class connect_reply_reader {
 public:
  enum class state {
    need_more,  ///< feed more bytes
    tunnel,     ///< 2xx: the tunnel is open
    refused,    ///< another final status: status()
    malformed,  ///< not HTTP, too large, or bytes after a 2xx header
  };

  explicit connect_reply_reader(http::limits limits = {.header_bytes = std::size_t{16} * 1024,
                                                       .body_bytes = std::size_t{64} * 1024});

  state feed(std::string_view bytes);
  /// The peer closed the connection.
  state feed_eof();
  state current() const noexcept { return state_; }
  /// tunnel, refused: the final status.
  int status() const noexcept { return status_; }

 private:
  state finish(int status, bool bytes_follow);
  state finish_refusal();
  state parse_received();

  http::limits limits_;
  std::string received_;    // what no parser took yet
  bool reading_refusal_ = false;
  http::response_parser refusal_;  // a non-2xx answer with a body, read whole
  state state_ = state::need_more;
  int status_ = 0;
};

}  // namespace flowtrack::detail
