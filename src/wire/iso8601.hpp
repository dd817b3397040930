// UTC ISO-8601 timestamps with milliseconds, formatted without locale or strftime.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace flowtrack::detail {

inline constexpr std::size_t iso8601_length = 24;  // YYYY-MM-DDTHH:MM:SS.mmmZ

/// Writes exactly 24 characters (years 0000-9999; outside that range the year is clamped).
void format_iso8601(std::chrono::system_clock::time_point t, char* out);
std::string to_iso8601(std::chrono::system_clock::time_point t);

/// Parses YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM|±HHMM). nullopt for anything else.
std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view text);

}  // namespace flowtrack::detail
