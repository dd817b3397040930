#include "ingest.hpp"

#include <algorithm>

#include "http/gzip.hpp"
#include "validation.hpp"
#include "wire/iso8601.hpp"

namespace mock_segment {
namespace http = flowtrack::http;

namespace {

constexpr std::size_t max_decoded_body = 1 << 20;

std::string base64_decode(std::string_view in) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  int bits = 0, acc = 0;
  for (char c : in) {
    if (c == '=') break;
    int v = value(c);
    if (v < 0) return {};
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::string basic_auth_key(std::string_view header) {
  if (header.size() < 6 || !iequals(header.substr(0, 6), "Basic ")) return {};
  auto decoded = base64_decode(header.substr(6));
  return decoded.substr(0, decoded.find(':'));
}

bool write_key_accepted(const ingest_options& options, std::string_view key) {
  return !key.empty() && (options.write_keys.empty() || options.write_keys.contains(key));
}

const nlohmann::json* refused_event(const ingest_options& options, const nlohmann::json& messages) {
  if (options.refused_events.empty()) return nullptr;
  for (const auto& m : messages) {
    if (!m.is_object()) continue;
    auto event = m.find("event");
    if (event != m.end() && event->is_string() && options.refused_events.contains(event->get_ref<const std::string&>()))
      return &m;
  }
  return nullptr;
}

std::optional<http::response> decoded_body(const http::request& req, std::string& decoded, std::string_view& body) {
  body = req.body;
  if (!iequals(req.header("Content-Encoding"), "gzip")) return std::nullopt;
  if (auto ec = http::gzip_decompress(req.body, decoded, max_decoded_body))
    return plain_response(400, ec == std::errc::value_too_large ? "request body too large\n" : "invalid gzip body\n");
  body = decoded;
  return std::nullopt;
}

http::response plain_response(int status, std::string body, bool keep_alive) {
  return {.status = status, .reason = {}, .headers = {{"Content-Type", "text/plain; charset=utf-8"}},
          .body = std::move(body), .keep_alive = keep_alive};
}

http::response json_response(int status, const nlohmann::json& body, bool keep_alive) {
  return {.status = status, .reason = {}, .headers = {{"Content-Type", "application/json"}},
          .body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), .keep_alive = keep_alive};
}

nlohmann::json describe_request(const http::request& req, std::uint64_t id) {
  nlohmann::json headers = nlohmann::json::object();
  for (const auto& f : req.headers) headers[f.name] = iequals(f.name, "Authorization") ? "<redacted>" : f.value;
  return {{"id", id},
          {"method", req.method},
          {"path", req.target},
          {"headers", headers},
          {"bodyBytes", req.body.size()},
          {"gzip", iequals(req.header("Content-Encoding"), "gzip")},
          {"receivedAt", flowtrack::detail::to_iso8601(std::chrono::system_clock::now())},
          {"accepted", 0},
          {"rejected", 0}};
}

http::response ingest(const http::request& req, const std::string& forced_type, const ingest_options& options,
                      store& s, std::uint64_t request_id, nlohmann::json& log_entry) {
  if (req.method != "POST") return plain_response(405, "method not allowed\n");
  std::string decoded;
  std::string_view body;
  if (auto refused = decoded_body(req, decoded, body)) return std::move(*refused);
  auto parsed = parse_ingest_body(body, forced_type);
  std::string key = basic_auth_key(req.header("Authorization"));
  if (key.empty()) key = parsed.write_key;
  if (!write_key_accepted(options, key)) return plain_response(401, "invalid write key\n");
  if (!parsed.error.empty()) return plain_response(400, parsed.error + "\n");
  if (const auto* refused = refused_event(options, parsed.messages))
    return plain_response(400, "event refused: " + (*refused)["event"].get<std::string>() + "\n");

  const std::string received_at = flowtrack::detail::to_iso8601(std::chrono::system_clock::now());
  int accepted = 0, rejected = 0;
  for (auto& m : parsed.messages) {
    if (auto problem = message_problem(m)) {
      s.reject(std::move(m), *problem, request_id);
      ++rejected;
      continue;
    }
    merge_batch_context(m, parsed.batch_context);
    m["receivedAt"] = received_at;
    m["requestId"] = request_id;
    if (!parsed.sent_at.empty() && !m.contains("sentAt")) m["sentAt"] = parsed.sent_at;
    s.accept(std::move(m));
    ++accepted;
  }
  log_entry["accepted"] = accepted;
  log_entry["rejected"] = rejected;
  return json_response(200, {{"success", true}});
}

}  // namespace mock_segment
