#include "lean_ingest.hpp"

#include <nlohmann/json.hpp>

#include "lean_count.hpp"

namespace mock_segment {
namespace http = flowtrack::http;

namespace {

// A body write key is compared decoded, as the full mode does; escapes in one are rare.
std::string body_write_key(const lean_result& scan) {
  if (!scan.write_key_escaped) return std::string(scan.write_key);
  std::string quoted;
  quoted.reserve(scan.write_key.size() + 2);
  quoted.append(1, '"').append(scan.write_key).append(1, '"');
  return nlohmann::json::parse(quoted).get<std::string>();  // lean_count() checked the string
}

}  // namespace

std::optional<http::response> lean_ingest(const http::request& req, bool batch, const ingest_options& options,
                                          store& s, std::string& scratch) {
  if (req.method != "POST") return plain_response(405, "method not allowed\n");
  std::string_view body;
  if (auto refused = decoded_body(req, scratch, body)) return refused;
  const lean_result scan = lean_count(body, batch);
  std::string key = basic_auth_key(req.header("Authorization"));
  if (key.empty()) key = body_write_key(scan);
  if (!write_key_accepted(options, key)) return plain_response(401, "invalid write key\n");
  if (!scan.error.empty()) return plain_response(400, std::string(scan.error) + "\n");
  s.count_events(scan.messages, scan.non_objects);
  return std::nullopt;
}

}  // namespace mock_segment
