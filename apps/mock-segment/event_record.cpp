#include "event_record.hpp"

#include "wire/iso8601.hpp"

namespace mock_segment {
using json = nlohmann::json;

namespace {

const json* member(const json& object, std::string_view name) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(name);
  return it == object.end() ? nullptr : &*it;
}

std::string text(const json* value) {
  if (value == nullptr || value->is_null() || value->is_object() || value->is_array()) return {};
  if (value->is_string()) return value->get<std::string>();
  return value->dump();
}

std::optional<std::int64_t> integer(const json* value) {
  if (value == nullptr) return std::nullopt;
  if (value->is_number_unsigned()) {
    const auto u = value->get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<std::int64_t>(u);
  }
  if (value->is_number_integer()) return value->get<std::int64_t>();
  return std::nullopt;
}

std::optional<bool> boolean(const json* value) {
  if (value == nullptr || !value->is_boolean()) return std::nullopt;
  return value->get<bool>();
}

}  // namespace

std::optional<std::int64_t> parse_time_ms(std::string_view text) {
  auto t = flowtrack::detail::parse_iso8601(text);
  if (!t) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::milliseconds>(t->time_since_epoch()).count();
}

event_record make_record(const json& event, std::uint64_t index) {
  event_record r;
  r.index = index;
  r.type = text(member(event, "type"));
  r.event = text(member(event, "event"));
  r.user = text(member(event, "userId"));
  if (r.user.empty()) r.user = text(member(event, "anonymousId"));
  r.message_id = text(member(event, "messageId"));
  for (const char* name : {"timestamp", "originalTimestamp", "receivedAt"}) {
    const json* t = member(event, name);
    if (t == nullptr || !t->is_string()) continue;
    r.time = t->get<std::string>();
    r.time_ms = parse_time_ms(r.time);
    if (r.time_ms) break;
  }
  if (auto id = integer(member(event, "requestId")); id && *id > 0) r.request_id = static_cast<std::uint64_t>(*id);

  const json* props = member(event, "properties");
  if (props == nullptr || !props->is_object()) return r;
  r.invocation_id = text(member(*props, "invocation_id"));
  if (auto s = integer(member(*props, "sequence")); s && *s > 0) r.sequence = *s;
  r.command = text(member(*props, "command"));
  r.flow = text(member(*props, "flow"));
  r.step = text(member(*props, "step"));
  r.previous_step = text(member(*props, "previous_step"));
  r.direction = text(member(*props, "direction"));
  r.outcome = text(member(*props, "outcome"));
  r.step_order = integer(member(*props, "step_order"));
  r.succeeded = boolean(member(*props, "succeeded"));
  r.exit_code = integer(member(*props, "exit_code"));
  r.duration_ms = integer(member(*props, "duration_ms"));
  r.error_class = text(member(*props, "error_class"));
  r.user_cancelled = boolean(member(*props, "user_cancelled")).value_or(false);
  return r;
}

}  // namespace mock_segment
