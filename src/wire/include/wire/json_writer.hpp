// A compact JSON serializer for nlohmann::json values that validates as it writes: UTF-8
// (repaired or refused), non-finite numbers (refused) and nesting depth (bounded before it
// recurses, so a 10000-deep value cannot exhaust the stack). Appends to a caller's string.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>

#include <nlohmann/json.hpp>

namespace flowtrack::detail {

enum class utf8_policy { repair, reject };  ///< repair: invalid sequences become U+FFFD

/// Appends `s` as a quoted JSON string. Errors: errc::invalid_utf8 (reject policy only).
std::error_code write_json_string(std::string& out, std::string_view s, utf8_policy policy);

/// Appends `v` compactly, object members in the value's own order. Errors: errc::invalid_number
/// (NaN, infinity), errc::invalid_utf8, errc::nesting_too_deep (deeper than max_depth).
std::error_code write_json_value(std::string& out, const nlohmann::json& v, utf8_policy policy,
                                 std::size_t max_depth);

}  // namespace flowtrack::detail
