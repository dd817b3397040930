// UTC ISO-8601 timestamps with milliseconds, formatted without locale or strftime.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace flowtrack::detail {

inline constexpr std::size_t iso8601_length = 24;  // YYYY-MM-DDTHH:MM:SS.mmmZ

/// Writes `t` in UTC as exactly 24 characters "YYYY-MM-DDTHH:MM:SS.mmmZ" to `out24` (no
/// terminator; sub-milliseconds truncated toward the past; years outside 0000-9999 clamped).
/// No locale, no strftime: civil-from-days arithmetic. Thread-safe.
void format_iso8601(std::chrono::system_clock::time_point t, char* out24);
/// `t` as a 24-character string (see format_iso8601).
std::string to_iso8601(std::chrono::system_clock::time_point t);

/// Parses YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM|±HHMM) (also 't'/' ' as the separator and
/// 'z'), validating the calendar date (leap years) and ranges; a fraction of any length is kept
/// to nanoseconds. nullopt for anything else.
std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view s);

}  // namespace flowtrack::detail
