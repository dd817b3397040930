// What the Segment HTTP Tracking API accepts, as pure functions: request-level checks (a
// failure is a 400 and nothing is recorded) and per-message checks (a failure is recorded as
// rejected with a reason; the request still gets 200, as the real API does).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace mock_segment {

inline constexpr std::size_t max_message_bytes = std::size_t{32} * 1024;
inline constexpr std::size_t max_batch_bytes = std::size_t{500} * 1024;
inline constexpr std::size_t max_batch_messages = 2500;
inline constexpr std::size_t max_message_id_length = 100;
/// mock-segment's own bound (Segment documents none): a body nested deeper is refused with a
/// 400 before anything walks it, since nlohmann::json's dump and copy recurse per level.
inline constexpr std::size_t max_json_depth = 512;

/// Whether JSON text nests objects/arrays at most `limit` deep. One pass, no recursion, any
/// input (strings and escapes are skipped; malformed text is for the parser to refuse).
bool json_depth_within(std::string_view text, std::size_t limit) noexcept;

/// nlohmann::json::parse without exceptions, refusing (discarded) text nested deeper than
/// max_json_depth: every JSON body mock-segment reads goes through it.
nlohmann::json parse_bounded_json(std::string_view text);

/// Path of an ingest endpoint -> the message type it forces ("" for batch endpoints);
/// nullopt when the path is not an ingest endpoint.
std::optional<std::string> ingest_type_for_path(std::string_view path);

/// The messages of a request body, or the plain-text reason for a 400.
struct parsed_request {
  nlohmann::json messages = nlohmann::json::array();
  nlohmann::json batch_context = nlohmann::json::object();
  std::string sent_at;
  std::string write_key;  // from the body, if any
  std::string error;      // non-empty: respond 400 with it
};

/// Parses a decoded body for an endpoint (forced_type empty: a batch endpoint).
parsed_request parse_ingest_body(std::string_view body, std::string_view forced_type);

/// Why a message would be rejected, or nullopt when it is acceptable.
std::optional<std::string> message_problem(const nlohmann::json& message);

/// Segment merges the batch-level context into each message; the message's own keys win.
void merge_batch_context(nlohmann::json& message, const nlohmann::json& batch_context);

/// True for YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM) with a real date.
bool valid_timestamp(std::string_view text);

}  // namespace mock_segment
