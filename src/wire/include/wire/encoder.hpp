// Validates a message and encodes it ONCE, on the caller's thread, into the exact bytes that
// go in a batch: a batch is then a concatenation, and the size limits are exact.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

#include "flowtrack/message.hpp"
#include "wire/json_writer.hpp"

namespace flowtrack::detail {

/// One message, encoded once: the exact bytes that go in a batch body.
struct encoded_message {
  std::string json;  ///< compact JSON object; "messageId" is its FIRST member: {"messageId":"...",...}
  std::uint32_t id_offset = 0, id_length = 0;  ///< where the messageId value's bytes are in json
  /// The messageId (a view into json: valid while json is unchanged).
  std::string_view message_id() const noexcept { return std::string_view(json).substr(id_offset, id_length); }
};

/// How encode() validates. Cheap to copy; the defaults are Segment's limits.
struct encode_options {
  std::chrono::system_clock::time_point now;  ///< the timestamp of a message without one
  utf8_policy utf8 = utf8_policy::repair;
  std::size_t max_message_bytes = std::size_t{32} * 1024;  ///< Segment's 32 KB
  std::size_t max_depth = 64;                 ///< deeper JSON: errc::nesting_too_deep
};

/// Longest messageId Segment accepts.
inline constexpr std::size_t max_message_id_length = 100;

/// Validates `m` and encodes it into `out.json` (replacing its content), members in this order:
/// messageId (m.message_id, or a new UUIDv4 when empty), type, userId and anonymousId (the
/// non-empty ones), the type's own fields (track: event, properties; identify: traits;
/// page/screen: name and category when not empty, properties; group: groupId, traits; alias: previousId),
/// context and integrations when not empty, timestamp (m.time, else o.now; ISO-8601 UTC ms).
/// properties/traits are always written ({} when empty or null). Objects keep their own
/// member order. NUL and control characters are escaped (\u0000...).
/// Errors (then `out` is unspecified):
///  - errc::invalid_message: no user_id and no anonymous_id; empty event (track), group_id
///    (group), previous_id or user_id (alias); a message_id over 100 bytes or with a character
///    outside printable ASCII, '"' or '\\'; properties/traits/context/integrations neither an
///    object nor null; a binary value anywhere;
///  - errc::invalid_utf8: a string (key, value or field) is not UTF-8 and o.utf8 is reject
///    (with repair, each invalid byte becomes U+FFFD);
///  - errc::invalid_number: NaN or infinity anywhere;
///  - errc::nesting_too_deep: an object/array nested deeper than o.max_depth inside a field
///    (checked before recursing: the stack depth is bounded by max_depth);
///  - errc::message_too_large: the encoding is longer than o.max_message_bytes.
/// Never throws for bad input (std::bad_alloc propagates). Thread-safe for distinct `out`s.
std::error_code encode(const track_message& m, const encode_options& o, encoded_message& out);
std::error_code encode(const identify_message& m, const encode_options& o, encoded_message& out);
std::error_code encode(const page_message& m, const encode_options& o, encoded_message& out);
std::error_code encode(const screen_message& m, const encode_options& o, encoded_message& out);
std::error_code encode(const group_message& m, const encode_options& o, encoded_message& out);
std::error_code encode(const alias_message& m, const encode_options& o, encoded_message& out);

}  // namespace flowtrack::detail
