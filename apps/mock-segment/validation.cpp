#include "validation.hpp"

#include <array>

#include "wire/iso8601.hpp"

namespace mock_segment {

namespace {
constexpr std::array<std::string_view, 6> message_types = {"track", "identify", "page", "screen", "group", "alias"};

bool non_empty_string(const nlohmann::json& m, const char* key) {
  auto it = m.find(key);
  return it != m.end() && it->is_string() && !it->get_ref<const std::string&>().empty();
}
}  // namespace

std::optional<std::string> ingest_type_for_path(std::string_view path) {
  if (path == "/v1/batch" || path == "/v1/import") return std::string();
  if (!path.starts_with("/v1/")) return std::nullopt;
  const auto type = path.substr(4);
  for (auto t : message_types)
    if (type == t) return std::string(t);
  return std::nullopt;
}

bool json_depth_within(std::string_view text, std::size_t limit) noexcept {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;  // the escaped character cannot end the string
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return false;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return true;
}

nlohmann::json parse_bounded_json(std::string_view text) {
  if (!json_depth_within(text, max_json_depth)) return nlohmann::json::value_t::discarded;
  return nlohmann::json::parse(text, nullptr, false);
}

bool valid_timestamp(std::string_view text) { return flowtrack::detail::parse_iso8601(text).has_value(); }

parsed_request parse_ingest_body(std::string_view body, std::string_view forced_type) {
  parsed_request out;
  if (body.size() > max_batch_bytes) {
    out.error = "request body too large (limit 500 KB)";
    return out;
  }
  if (!json_depth_within(body, max_json_depth)) {
    out.error = "JSON nested too deeply (limit " + std::to_string(max_json_depth) + " levels)";
    return out;
  }
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    out.error = "invalid JSON";
    return out;
  }
  if (auto it = doc.find("writeKey"); it != doc.end() && it->is_string()) out.write_key = it->get<std::string>();
  if (forced_type.empty()) {
    auto batch = doc.find("batch");
    if (batch == doc.end() || !batch->is_array()) {
      out.error = "missing batch array";
      return out;
    }
    if (batch->size() > max_batch_messages) {
      out.error = "too many events in batch (limit 2500)";
      return out;
    }
    out.messages = std::move(*batch);
    if (auto it = doc.find("context"); it != doc.end() && it->is_object()) out.batch_context = *it;
    if (auto it = doc.find("sentAt"); it != doc.end() && it->is_string()) out.sent_at = it->get<std::string>();
  } else {
    doc.erase("writeKey");
    doc["type"] = std::string(forced_type);
    if (auto it = doc.find("sentAt"); it != doc.end() && it->is_string()) out.sent_at = it->get<std::string>();
    out.messages.push_back(std::move(doc));
  }
  for (const auto& m : out.messages) {
    if (m.dump().size() > max_message_bytes) {
      out.error = "message too large (limit 32 KB)";
      out.messages = nlohmann::json::array();
      return out;
    }
  }
  return out;
}

std::optional<std::string> message_problem(const nlohmann::json& m) {
  if (!m.is_object()) return "message is not an object";
  auto type = m.find("type");
  if (type == m.end() || !type->is_string()) return "missing type";
  const auto& t = type->get_ref<const std::string&>();
  bool known = false;
  for (auto k : message_types) known = known || t == k;
  if (!known) return "unknown type: " + t;
  if (!non_empty_string(m, "userId") && !non_empty_string(m, "anonymousId")) return "missing userId and anonymousId";
  if (t == "track" && !non_empty_string(m, "event")) return "track without event";
  if (t == "group" && !non_empty_string(m, "groupId")) return "group without groupId";
  if (t == "alias" && !non_empty_string(m, "previousId")) return "alias without previousId";
  if (auto id = m.find("messageId"); id != m.end()) {
    if (!id->is_string()) return "messageId is not a string";
    if (id->get_ref<const std::string&>().size() > max_message_id_length) return "messageId longer than 100 characters";
  }
  for (const char* key : {"timestamp", "sentAt", "originalTimestamp"}) {
    auto it = m.find(key);
    if (it == m.end()) continue;
    if (!it->is_string() || !valid_timestamp(it->get_ref<const std::string&>())) return std::string("bad ") + key;
  }
  for (const char* key : {"properties", "traits", "context", "integrations"}) {
    auto it = m.find(key);
    if (it != m.end() && !it->is_object() && !it->is_null()) return std::string(key) + " is not an object";
  }
  return std::nullopt;
}

void merge_batch_context(nlohmann::json& message, const nlohmann::json& batch_context) {
  if (!batch_context.is_object() || batch_context.empty()) return;
  nlohmann::json merged = batch_context;
  if (auto it = message.find("context"); it != message.end() && it->is_object()) merged.update(*it);
  message["context"] = std::move(merged);
}

}  // namespace mock_segment
