// libFuzzer target: the client's HTTP response path (status line, headers, chunked bodies,
// EOF handling) and Retry-After parsing, fed arbitrary bytes split at an arbitrary point.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http/http_codec.hpp"
#include "policy/retry_policy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view all(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::size_t split = all.empty() ? 0 : data[0] % (all.size() + 1);
  flowtrack::http::response_parser p{{.header_bytes = 8192, .body_bytes = 65536}};
  if (!p.feed(all.substr(0, split)) && !p.feed(all.substr(split))) {
    if (!p.done()) (void)p.feed_eof();
    if (p.done()) {
      auto r = p.release();
      (void)flowtrack::detail::parse_retry_after(r.header("Retry-After"), std::chrono::system_clock::now(),
                                                 std::chrono::seconds(300));
    }
  }
  (void)flowtrack::detail::parse_retry_after(all, std::chrono::system_clock::time_point{}, std::chrono::seconds(300));
  return 0;
}
