// The ingest endpoints: authentication, gzip, request limits, per-message validation, and
// recording what the real API would accept.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "http/http_codec.hpp"
#include "store.hpp"

namespace mock_segment {

struct ingest_options {
  std::set<std::string, std::less<>> write_keys;  ///< empty: any non-empty key is accepted
  /// A batch holding a track of one of these events is refused whole with 400, as a strict
  /// gateway would (the full mode only): tests of a client that isolates refused messages.
  std::set<std::string, std::less<>> refused_events;
};

/// The first message of the array `messages` whose event is in options.refused_events, if any.
const nlohmann::json* refused_event(const ingest_options& options, const nlohmann::json& messages);

/// The write key of "Authorization: Basic base64(key:)"; empty when absent or malformed.
std::string basic_auth_key(std::string_view header);

/// Whether a write key may post: any non-empty key when options.write_keys is empty.
bool write_key_accepted(const ingest_options& options, std::string_view key);

/// The body to parse: req.body itself, or its gzip decoding written into `decoded` (whose
/// capacity is reused). A 400 response when the gzip body is corrupt or decodes to over 1 MiB.
std::optional<flowtrack::http::response> decoded_body(const flowtrack::http::request& req, std::string& decoded,
                                                      std::string_view& body);

/// The request-log entry for a request (Authorization redacted).
nlohmann::json describe_request(const flowtrack::http::request& req, std::uint64_t id);

/// Handles an ingest request whose path maps to `forced_type` ("" for batch endpoints).
/// Records accepted/rejected messages in `s`, and fills in the log entry's counters.
flowtrack::http::response ingest(const flowtrack::http::request& req, const std::string& forced_type,
                                 const ingest_options& options, store& s, std::uint64_t request_id,
                                 nlohmann::json& log_entry);

flowtrack::http::response plain_response(int status, std::string body, bool keep_alive = true);
flowtrack::http::response json_response(int status, const nlohmann::json& body, bool keep_alive = true);

}  // namespace mock_segment
