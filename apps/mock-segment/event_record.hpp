// The few fields of an accepted event that the summary (summary.hpp) and the live page use,
// taken once when the event is accepted: summarizing 100000 events then reads plain structs,
// not JSON documents. Works for events from any client: every field may be absent.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace mock_segment {

struct event_record {
  std::uint64_t index = 0;  ///< arrival order in the store (1, 2, ...; never reused until reset)
  std::string type;         ///< "track", "identify", ...
  std::string event;        ///< a track's name
  std::string user;         ///< userId, else anonymousId
  std::string message_id;
  std::string time;         ///< the event's time as sent: timestamp, else originalTimestamp, else receivedAt
  std::optional<std::int64_t> time_ms;  ///< `time` in ms since the epoch; nullopt when absent or not ISO-8601
  std::uint64_t request_id = 0;         ///< the ingest request that carried it

  // properties.* (CLI telemetry's vocabulary: docs/CLI-TELEMETRY.md)
  std::string invocation_id;  ///< empty: none (the event is summarized on its own)
  std::int64_t sequence = 0;  ///< 0: none, or not a positive integer
  std::string command;
  std::string flow, step, previous_step, direction, outcome;  ///< outcome: Flow Completed's
  std::optional<std::int64_t> step_order;
  std::optional<bool> succeeded;
  std::optional<std::int64_t> exit_code, duration_ms;
  std::string error_class;
  bool user_cancelled = false;

  bool grouped() const { return !invocation_id.empty() && sequence > 0; }
};

/// The record of an accepted event (after the mock added receivedAt). Strings are taken as they
/// are; numbers and booleans where a string is expected become their JSON text; anything else,
/// or a wrong type where a number or boolean is expected, is treated as absent. Never throws
/// for any JSON value (std::bad_alloc aside).
event_record make_record(const nlohmann::json& event, std::uint64_t index);

/// ISO-8601 text -> ms since the epoch; nullopt for anything else.
std::optional<std::int64_t> parse_time_ms(std::string_view text);

}  // namespace mock_segment
