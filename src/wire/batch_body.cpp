#include "wire/batch_body.hpp"

#include "wire/iso8601.hpp"
#include "wire/json_writer.hpp"

namespace flowtrack::detail {
namespace {
constexpr std::string_view prefix = R"({"sentAt":")";
constexpr std::string_view middle = R"(","context":)";
constexpr std::string_view batch_open = R"(,"batch":[)";
constexpr std::string_view suffix = "]}";
static_assert(prefix.size() == sent_at_offset);
}  // namespace

std::string make_batch_context(const nlohmann::json& default_context, std::string_view library_version) {
  nlohmann::json context = default_context.is_object() ? default_context : nlohmann::json::object();
  context["library"] = {{"name", "flowtrack"}, {"version", std::string(library_version)}};
  std::string out;
  if (write_json_value(out, context, utf8_policy::repair, 64)) {
    // A default context we cannot encode (NaN, too deep) is dropped; the library entry stays.
    out.clear();
    write_json_value(out, nlohmann::json{{"library", context["library"]}}, utf8_policy::repair, 64);
  }
  return out;
}

std::size_t batch_envelope_bytes(std::string_view context_json) {
  return prefix.size() + iso8601_length + middle.size() + context_json.size() + batch_open.size() + suffix.size();
}

void begin_batch_body(std::string& body, std::string_view context_json, std::size_t reserve) {
  body.clear();
  body.reserve(reserve);
  body.append(prefix);
  body.append(iso8601_length, '0');
  body.append(middle);
  body.append(context_json);
  body.append(batch_open);
}

void append_to_batch_body(std::string& body, std::string_view message_json, bool first) {
  if (!first) body.push_back(',');
  body.append(message_json);
}

void finish_batch_body(std::string& body) { body.append(suffix); }

void stamp_sent_at(std::string& body, std::chrono::system_clock::time_point now) {
  format_iso8601(now, body.data() + sent_at_offset);
}

}  // namespace flowtrack::detail
