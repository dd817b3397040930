// libFuzzer target: mock-segment's request path (the shared codec's request parser, with
// pipelined leftovers) and gzip decoding of request bodies.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/gzip.hpp"
#include "http/http_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  for (int i = 0; i < 4 && !rest.empty(); ++i) {
    flowtrack::http::request_parser p{{.header_bytes = 8192, .body_bytes = 65536}};
    if (p.feed(rest) || !p.done()) {
      if (p.got_some()) (void)p.feed_eof();
      break;
    }
    auto req = p.release();
    std::string out;
    (void)flowtrack::http::gzip_decompress(req.body, out, 1 << 20);
    static std::string leftover;
    leftover = p.take_leftover();
    rest = leftover;
  }
  return 0;
}
