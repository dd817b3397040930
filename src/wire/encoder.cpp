#include "wire/encoder.hpp"

#include <algorithm>
#include <cstring>

#include "flowtrack/error.hpp"
#include "wire/iso8601.hpp"
#include "wire/uuid.hpp"

namespace flowtrack::detail {
namespace {

// Enough for a typical event (8 properties and a context: ~300-450 bytes) without regrowing.
constexpr std::size_t initial_capacity = 512;

// Printable ASCII without '"' and '\\', so the id is written as it is and message_id() returns
// exactly the caller's id. (Empty: one is generated.)
bool valid_message_id(std::string_view id) {
  return id.size() <= max_message_id_length &&
         std::ranges::all_of(id, [](char c) { return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\'; });
}

// Writes one message: the fields every type has around the type's own members.
class message_writer {
 public:
  message_writer(const encode_options& o, encoded_message& out) : o_(o), out_(out) {}

  std::error_code begin(std::string_view type, std::string_view given_id, const std::string& user_id,
                        const std::string& anonymous_id) {
    if (user_id.empty() && anonymous_id.empty()) return errc::invalid_message;
    if (!valid_message_id(given_id)) return errc::invalid_message;
    std::string& s = out_.json;
    s.clear();
    s.reserve(initial_capacity);
    s.append(R"({"messageId":")");
    out_.id_offset = static_cast<std::uint32_t>(s.size());
    if (given_id.empty()) {
      s.resize(s.size() + 36);
      write_uuid_v4(s.data() + out_.id_offset);
    } else {
      s.append(given_id);
    }
    out_.id_length = static_cast<std::uint32_t>(s.size() - out_.id_offset);
    s.append(R"(","type":")");
    s.append(type);
    s.push_back('"');
    if (!user_id.empty())
      if (auto ec = string_field("userId", user_id)) return ec;
    if (!anonymous_id.empty())
      if (auto ec = string_field("anonymousId", anonymous_id)) return ec;
    return {};
  }

  std::error_code string_field(std::string_view name, const std::string& value) {
    key(name);
    return write_json_string(out_.json, value, o_.utf8);
  }

  /// `always`: written even when empty (track's properties); otherwise an empty object is left out.
  std::error_code object_field(std::string_view name, const nlohmann::json& value, bool always = false) {
    if (value.is_null()) {
      if (always) {
        key(name);
        out_.json.append("{}");
      }
      return {};
    }
    if (!value.is_object()) return errc::invalid_message;
    if (value.empty() && !always) return {};
    key(name);
    if (auto ec = write_json_value(out_.json, value, o_.utf8, o_.max_depth)) return ec;
    // Stop early on a huge value rather than encoding the rest for nothing.
    return out_.json.size() > o_.max_message_bytes ? std::error_code(errc::message_too_large) : std::error_code();
  }

  std::error_code finish(const nlohmann::json& context, const nlohmann::json& integrations,
                         const std::optional<timestamp>& time) {
    if (auto ec = object_field("context", context)) return ec;
    if (auto ec = object_field("integrations", integrations)) return ec;
    key("timestamp");
    char ts[iso8601_length];
    format_iso8601(time.value_or(o_.now), ts);
    out_.json.push_back('"');
    out_.json.append(ts, iso8601_length);
    out_.json.append("\"}");
    if (out_.json.size() > o_.max_message_bytes) return errc::message_too_large;
    return {};
  }

 private:
  void key(std::string_view name) {  // names are our short literals: one append
    char buf[32];
    buf[0] = ',';
    buf[1] = '"';
    std::memcpy(buf + 2, name.data(), name.size());
    buf[2 + name.size()] = '"';
    buf[3 + name.size()] = ':';
    out_.json.append(buf, name.size() + 4);
  }

  const encode_options& o_;
  encoded_message& out_;
};

// Runs `body` and turns any exception from a malformed json value into invalid_message.
template <class F>
std::error_code guarded(F&& body) {
  try {
    return body();
  } catch (const nlohmann::json::exception&) {
    return errc::invalid_message;
  }
}

}  // namespace

std::error_code encode(const track_message& m, const encode_options& o, encoded_message& out) {
  return guarded([&]() -> std::error_code {
    if (m.event.empty()) return errc::invalid_message;
    message_writer w(o, out);
    if (auto ec = w.begin("track", m.message_id, m.user_id, m.anonymous_id)) return ec;
    if (auto ec = w.string_field("event", m.event)) return ec;
    if (auto ec = w.object_field("properties", m.properties, true)) return ec;
    return w.finish(m.context, m.integrations, m.time);
  });
}

std::error_code encode(const identify_message& m, const encode_options& o, encoded_message& out) {
  return guarded([&]() -> std::error_code {
    message_writer w(o, out);
    if (auto ec = w.begin("identify", m.message_id, m.user_id, m.anonymous_id)) return ec;
    if (auto ec = w.object_field("traits", m.traits, true)) return ec;
    return w.finish(m.context, m.integrations, m.time);
  });
}

namespace {
template <class Message>
std::error_code encode_view(std::string_view type, const Message& m, const encode_options& o, encoded_message& out) {
  return guarded([&]() -> std::error_code {
    message_writer w(o, out);
    if (auto ec = w.begin(type, m.message_id, m.user_id, m.anonymous_id)) return ec;
    if (!m.name.empty())
      if (auto ec = w.string_field("name", m.name)) return ec;
    if (!m.category.empty())
      if (auto ec = w.string_field("category", m.category)) return ec;
    if (auto ec = w.object_field("properties", m.properties, true)) return ec;
    return w.finish(m.context, m.integrations, m.time);
  });
}
}  // namespace

std::error_code encode(const page_message& m, const encode_options& o, encoded_message& out) {
  return encode_view("page", m, o, out);
}

std::error_code encode(const screen_message& m, const encode_options& o, encoded_message& out) {
  return encode_view("screen", m, o, out);
}

std::error_code encode(const group_message& m, const encode_options& o, encoded_message& out) {
  return guarded([&]() -> std::error_code {
    if (m.group_id.empty()) return errc::invalid_message;
    message_writer w(o, out);
    if (auto ec = w.begin("group", m.message_id, m.user_id, m.anonymous_id)) return ec;
    if (auto ec = w.string_field("groupId", m.group_id)) return ec;
    if (auto ec = w.object_field("traits", m.traits, true)) return ec;
    return w.finish(m.context, m.integrations, m.time);
  });
}

std::error_code encode(const alias_message& m, const encode_options& o, encoded_message& out) {
  return guarded([&]() -> std::error_code {
    if (m.previous_id.empty() || m.user_id.empty()) return errc::invalid_message;
    message_writer w(o, out);
    if (auto ec = w.begin("alias", m.message_id, m.user_id, m.anonymous_id)) return ec;
    if (auto ec = w.string_field("previousId", m.previous_id)) return ec;
    return w.finish(m.context, m.integrations, m.time);
  });
}

}  // namespace flowtrack::detail
