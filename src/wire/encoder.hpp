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

struct encoded_message {
  std::string json;  ///< compact JSON object; "messageId" is its FIRST member
  std::uint32_t id_offset = 0, id_length = 0;  ///< where the messageId value is in json
  std::string_view message_id() const noexcept { return std::string_view(json).substr(id_offset, id_length); }
};

struct encode_options {
  std::chrono::system_clock::time_point now;  ///< the timestamp of a message without one
  utf8_policy utf8 = utf8_policy::repair;
  std::size_t max_message_bytes = 32 * 1024;  ///< Segment's 32 KB
  std::size_t max_depth = 64;                 ///< deeper JSON: errc::nesting_too_deep
};

inline constexpr std::size_t max_message_id_length = 100;

/// Encodes `m`. Errors (nothing usable in `out`): errc::invalid_message (no user_id and no
/// anonymous_id, empty event/group_id/previous_id, a message_id over 100 characters or not
/// printable ASCII, properties/traits/context/integrations not objects), invalid_utf8 (reject
/// policy), invalid_number, nesting_too_deep, message_too_large. Never throws for bad input.
std::error_code encode(const track_message& m, const encode_options& o, encoded_message& out);
std::error_code encode(const identify_message& m, const encode_options& o, encoded_message& out);
std::error_code encode(const page_message& m, const encode_options& o, encoded_message& out);
std::error_code encode(const screen_message& m, const encode_options& o, encoded_message& out);
std::error_code encode(const group_message& m, const encode_options& o, encoded_message& out);
std::error_code encode(const alias_message& m, const encode_options& o, encoded_message& out);

}  // namespace flowtrack::detail
