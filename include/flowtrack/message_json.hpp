// A message as the JSON the client would put in a batch: for a debug mode that prints events
// instead of sending them, or a test that checks what a call site builds.
#pragma once

#include <string>
#include <system_error>

#include "flowtrack/message.hpp"

namespace flowtrack {

/// Validates `m` and writes the compact JSON object the client sends for it to `out` (replacing
/// its content), with the rules of a default config: messageId first (a new UUIDv4 when
/// m.message_id is empty), the timestamp of the call when m.time is empty, invalid UTF-8
/// repaired, at most 32 KB. Errors as track()'s (errc::invalid_message, invalid_utf8,
/// invalid_number, nesting_too_deep, message_too_large); then `out` is unspecified. Never throws
/// for bad input. Thread-safe for distinct `out`s.
std::error_code to_json(const track_message& m, std::string& out);
std::error_code to_json(const identify_message& m, std::string& out);
std::error_code to_json(const page_message& m, std::string& out);
std::error_code to_json(const screen_message& m, std::string& out);
std::error_code to_json(const group_message& m, std::string& out);
std::error_code to_json(const alias_message& m, std::string& out);

}  // namespace flowtrack
