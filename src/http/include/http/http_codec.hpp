// HTTP/1.1 codec: Beast's buffer-oriented parser and serializer behind a small, non-template,
// Beast-free interface. No I/O: callers read and write bytes with Asio themselves.
// Shared by the client (request head out, response in) and mock-segment (request in, response out).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace flowtrack::http {

/// Why a parser refused its input.
enum class parse_error {
  malformed = 1,      ///< not HTTP/1.1 (bad start line, header, chunk...)
  header_too_large,   ///< the header exceeds limits::header_bytes
  body_too_large,     ///< the body exceeds limits::body_bytes
  truncated,          ///< the peer closed the connection in the middle of a message
};
const std::error_category& parse_error_category() noexcept;
inline std::error_code make_error_code(parse_error e) noexcept {
  return {static_cast<int>(e), parse_error_category()};
}

struct field {
  std::string name;
  std::string value;
};
using fields = std::vector<field>;

/// Case-insensitive lookup; empty when absent.
std::string_view find_field(const fields& headers, std::string_view name) noexcept;

struct request {
  std::string method;
  std::string target;
  fields headers;
  std::string body;
  bool keep_alive = true;
  std::string_view header(std::string_view name) const noexcept { return find_field(headers, name); }
};

struct response {
  int status = 0;
  std::string reason;
  fields headers;
  std::string body;
  bool keep_alive = true;
  std::string_view header(std::string_view name) const noexcept { return find_field(headers, name); }
};

struct limits {
  std::size_t header_bytes = std::size_t{16} * 1024;
  std::size_t body_bytes = std::size_t{1024} * 1024;
};

/// The request line and headers, with `Content-Length: content_length` and, unless keep_alive,
/// `Connection: close`. The body is written after it as a separate buffer (no copy).
std::string serialize_request_head(std::string_view method, std::string_view target,
                                   const fields& headers, std::size_t content_length,
                                   bool keep_alive = true);

/// A whole response: status line, headers, Content-Length and the body.
std::string serialize_response(const response& r);

/// Incremental parser for one message. feed() takes bytes as they arrive (any split);
/// done() tells when the message is complete. Bytes past the end of the message are kept
/// for the next message (take_leftover()). Not thread-safe; one per connection.
template <bool IsRequest>
class parser {
 public:
  using message_type = std::conditional_t<IsRequest, request, response>;

  explicit parser(limits lim = {});
  ~parser();
  parser(parser&&) noexcept;
  parser& operator=(parser&&) noexcept;

  /// Parses `bytes`. Errors: parse_error. After an error the parser is unusable.
  std::error_code feed(std::string_view bytes);
  /// The peer closed: completes a body delimited by the connection's end, else `truncated`
  /// (nothing received at all is not an error: check got_some()).
  std::error_code feed_eof();
  bool done() const noexcept;
  /// A response whose header is complete and whose status is interim (1xx other than 101):
  /// the final response follows on the same connection. Always false for a request.
  bool interim() const noexcept;
  bool got_some() const noexcept;
  /// The parsed message; call once, after done().
  message_type release();
  /// Bytes received after the end of this message.
  std::string take_leftover();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

using request_parser = parser<true>;
using response_parser = parser<false>;

extern template class parser<true>;
extern template class parser<false>;

}  // namespace flowtrack::http

template <>
struct std::is_error_code_enum<flowtrack::http::parse_error> : std::true_type {};
