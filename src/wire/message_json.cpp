// The public to_json: the encoder with a default config's rules.
#include "flowtrack/message_json.hpp"

#include <chrono>

#include "wire/encoder.hpp"

namespace flowtrack {
namespace {

template <class Message>
std::error_code encode_to(const Message& m, std::string& out) {
  detail::encoded_message encoded;
  if (auto ec = detail::encode(m, {.now = std::chrono::system_clock::now()}, encoded)) return ec;
  out = std::move(encoded.json);
  return {};
}

}  // namespace

std::error_code to_json(const track_message& m, std::string& out) { return encode_to(m, out); }
std::error_code to_json(const identify_message& m, std::string& out) { return encode_to(m, out); }
std::error_code to_json(const page_message& m, std::string& out) { return encode_to(m, out); }
std::error_code to_json(const screen_message& m, std::string& out) { return encode_to(m, out); }
std::error_code to_json(const group_message& m, std::string& out) { return encode_to(m, out); }
std::error_code to_json(const alias_message& m, std::string& out) { return encode_to(m, out); }

}  // namespace flowtrack
