// A compact JSON serializer for nlohmann::json values that validates as it writes: UTF-8
// (repaired or refused), non-finite numbers (refused) and nesting depth (bounded before it
// recurses, so a 10000-deep value cannot exhaust the stack). Appends to a caller's string.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>

#include <nlohmann/json.hpp>

#include "flowtrack/error.hpp"
#include "wire/json_out.hpp"

namespace flowtrack::detail {

enum class utf8_policy { repair, reject };  ///< repair: invalid sequences become U+FFFD

/// Appends `s` as a quoted JSON string. Errors: errc::invalid_utf8 (reject policy only).
std::error_code write_json_string(std::string& out, std::string_view s, utf8_policy policy);

/// Appends `v` compactly, object members in the value's own order. Errors: errc::invalid_number
/// (NaN, infinity), errc::invalid_utf8, errc::nesting_too_deep (deeper than max_depth).
std::error_code write_json_value(std::string& out, const nlohmann::json& v, utf8_policy policy,
                                 std::size_t max_depth);

/// What the two below return when they wrote the value: errc's zero, no error.
inline constexpr errc written{};

/// The same two, appending through a json_out: the encoder's path, with no per-piece
/// std::string append and no std::error_code per value (an error_code's construction is an
/// out-of-line call). Return `written` or the error above; on an error, what was written so far
/// stays in `out`.
[[nodiscard]] errc write_json_string(json_out& out, std::string_view s, utf8_policy policy);
[[nodiscard]] errc write_json_value(json_out& out, const nlohmann::json& v, utf8_policy policy, std::size_t max_depth);

}  // namespace flowtrack::detail
