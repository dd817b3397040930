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
  message_writer(const encode_options& o, encoded_message& out) : o_(o), out_(out), json_(start(out.json)) {}

  errc begin(std::string_view type, std::string_view given_id, const std::string& user_id,
                        const std::string& anonymous_id) {
    if (user_id.empty() && anonymous_id.empty()) return errc::invalid_message;
    if (!valid_message_id(given_id)) return errc::invalid_message;
    json_.put(R"({"messageId":")");
    out_.id_offset = static_cast<std::uint32_t>(json_.size());
    if (given_id.empty()) {
      char* const id = json_.room(36);
      write_uuid_v4(id);
      json_.commit(id + 36);
    } else {
      json_.put(given_id);
    }
    out_.id_length = static_cast<std::uint32_t>(json_.size() - out_.id_offset);
    json_.put(R"(","type":")");
    json_.put(type);
    json_.put('"');
    errc e = written;
    if (!user_id.empty()) e = string_field("userId", user_id);
    if (e == written && !anonymous_id.empty()) e = string_field("anonymousId", anonymous_id);
    return e;
  }

  errc string_field(std::string_view name, const std::string& value) {
    key(name);
    return write_json_string(json_, value, o_.utf8);
  }

  /// `always`: written even when empty (track's properties); otherwise an empty object is left out.
  errc object_field(std::string_view name, const nlohmann::json& value, bool always = false) {
    if (value.is_null()) {
      if (always) {
        key(name);
        json_.put("{}");
      }
      return written;
    }
    if (!value.is_object()) return errc::invalid_message;
    if (value.empty() && !always) return written;
    key(name);
    if (const errc e = write_json_value(json_, value, o_.utf8, o_.max_depth); e != written) return e;
    // Stop early on a huge value rather than encoding the rest for nothing.
    return json_.size() > o_.max_message_bytes ? errc::message_too_large : written;
  }

  errc finish(const nlohmann::json& context, const nlohmann::json& integrations,
              const std::optional<timestamp>& time) {
    if (const errc e = object_field("context", context); e != written) return e;
    if (const errc e = object_field("integrations", integrations); e != written) return e;
    key("timestamp");
    char* const at = json_.room(iso8601_length + 3);
    at[0] = '"';
    format_iso8601(time.value_or(o_.now), at + 1);
    at[1 + iso8601_length] = '"';
    at[2 + iso8601_length] = '}';
    json_.commit(at + iso8601_length + 3);
    return json_.size() > o_.max_message_bytes ? errc::message_too_large : written;
  }

 private:
  static std::string& start(std::string& json) {  // the message replaces what json held
    json.clear();
    json.reserve(initial_capacity);
    return json;
  }

  void key(std::string_view name) {  // names are our short literals: one copy
    char* const at = json_.room(name.size() + 4);
    at[0] = ',';
    at[1] = '"';
    std::memcpy(at + 2, name.data(), name.size());
    at[2 + name.size()] = '"';
    at[3 + name.size()] = ':';
    json_.commit(at + name.size() + 4);
  }

  const encode_options& o_;
  encoded_message& out_;
  json_out json_;  // out_.json, cut to what was written when the writer goes away
};

// Runs `body` and turns any exception from a malformed json value into invalid_message.
template <class F>
std::error_code guarded(F&& body) {
  try {
    const errc e = body();
    return e == written ? std::error_code() : std::error_code(e);
  } catch (const nlohmann::json::exception&) {
    return errc::invalid_message;
  }
}

// Each step runs while the ones before it succeeded; the first error is the result.
template <class... Steps>
errc in_turn(Steps&&... steps) {
  errc e = written;
  ((e = e == written ? steps() : e), ...);
  return e;
}

}  // namespace

std::error_code encode(const track_message& m, const encode_options& o, encoded_message& out) {
  return guarded([&] {
    if (m.event.empty()) return errc::invalid_message;
    message_writer w(o, out);
    return in_turn([&] { return w.begin("track", m.message_id, m.user_id, m.anonymous_id); },
                   [&] { return w.string_field("event", m.event); },
                   [&] { return w.object_field("properties", m.properties, true); },
                   [&] { return w.finish(m.context, m.integrations, m.time); });
  });
}

std::error_code encode(const identify_message& m, const encode_options& o, encoded_message& out) {
  return guarded([&] {
    message_writer w(o, out);
    return in_turn([&] { return w.begin("identify", m.message_id, m.user_id, m.anonymous_id); },
                   [&] { return w.object_field("traits", m.traits, true); },
                   [&] { return w.finish(m.context, m.integrations, m.time); });
  });
}

namespace {
template <class Message>
std::error_code encode_view(std::string_view type, const Message& m, const encode_options& o, encoded_message& out) {
  return guarded([&] {
    message_writer w(o, out);
    return in_turn([&] { return w.begin(type, m.message_id, m.user_id, m.anonymous_id); },
                   [&] { return m.name.empty() ? written : w.string_field("name", m.name); },
                   [&] { return m.category.empty() ? written : w.string_field("category", m.category); },
                   [&] { return w.object_field("properties", m.properties, true); },
                   [&] { return w.finish(m.context, m.integrations, m.time); });
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
  return guarded([&] {
    if (m.group_id.empty()) return errc::invalid_message;
    message_writer w(o, out);
    return in_turn([&] { return w.begin("group", m.message_id, m.user_id, m.anonymous_id); },
                   [&] { return w.string_field("groupId", m.group_id); },
                   [&] { return w.object_field("traits", m.traits, true); },
                   [&] { return w.finish(m.context, m.integrations, m.time); });
  });
}

std::error_code encode(const alias_message& m, const encode_options& o, encoded_message& out) {
  return guarded([&] {
    if (m.previous_id.empty() || m.user_id.empty()) return errc::invalid_message;
    message_writer w(o, out);
    return in_turn([&] { return w.begin("alias", m.message_id, m.user_id, m.anonymous_id); },
                   [&] { return w.string_field("previousId", m.previous_id); },
                   [&] { return w.finish(m.context, m.integrations, m.time); });
  });
}

}  // namespace flowtrack::detail
