// libFuzzer target: message validation and encoding from arbitrary JSON (parsed leniently),
// and the encoded output must itself be valid JSON whenever encode() accepts the message.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "wire/encoder.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto value = nlohmann::json::parse(data, data + size, nullptr, false);
  if (value.is_discarded()) return 0;
  flowtrack::track_message m{.user_id = "u", .event = "E"};
  if (value.is_object()) {
    m.properties = value;
    if (auto it = value.find("event"); it != value.end() && it->is_string()) m.event = it->get<std::string>();
  } else {
    m.properties = {{"v", value}};
  }
  flowtrack::detail::encoded_message out;
  if (!flowtrack::detail::encode(m, {.now = {}}, out)) {
    if (nlohmann::json::parse(out.json, nullptr, false).is_discarded()) std::abort();
  }
  return 0;
}
