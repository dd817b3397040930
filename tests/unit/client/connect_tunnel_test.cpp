// Table tests of the CONNECT exchange: the request text, and the proxy's answer read with the
// HTTP codec whatever way its bytes are split.
#include "transport/connect_tunnel.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace flowtrack::detail {
namespace {

using state = connect_reply_reader::state;

TEST(ConnectTunnel, RequestText) {
  EXPECT_EQ(connect_request("api.segment.io", 443, "flowtrack/1", ""),
            "CONNECT api.segment.io:443 HTTP/1.1\r\nHost: api.segment.io:443\r\nUser-Agent: flowtrack/1\r\n\r\n");
  EXPECT_EQ(connect_request("::1", 8443, "flowtrack/1", "Basic YWRhOg=="),
            "CONNECT [::1]:8443 HTTP/1.1\r\nHost: [::1]:8443\r\nUser-Agent: flowtrack/1\r\n"
            "Proxy-Authorization: Basic YWRhOg==\r\n\r\n");
}

TEST(ConnectTunnel, ReadsTheAnswer) {
  struct row {
    std::string name;
    std::string bytes;
    bool eof;  // the proxy closes after the bytes
    state expected;
    int status;
  };
  const std::vector<row> rows = {
      {"200 opens the tunnel", "HTTP/1.1 200 Connection established\r\n\r\n", false, state::tunnel, 200},
      {"HTTP/1.0 200 too", "HTTP/1.0 200 OK\r\nProxy-Agent: x\r\n\r\n", false, state::tunnel, 200},
      {"any 2xx", "HTTP/1.1 204 No Content\r\n\r\n", false, state::tunnel, 204},
      {"Content-Length: 0 on a 2xx", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false, state::tunnel, 200},
      {"interim answers are skipped", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\n", false, state::tunnel,
       200},
      {"407 with a body, read whole",
       "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"p\"\r\n"
       "Content-Length: 5\r\n\r\nno!\r\n",
       false, state::refused, 407},
      {"407 without a body", "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n", false,
       state::refused, 407},
      {"403 closed by the proxy", "HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\nnot here", true,
       state::refused, 403},
      {"502 chunked", "HTTP/1.1 502 Bad Gateway\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nbad\r\n0\r\n\r\n", false,
       state::refused, 502},
      {"a refusal cut short", "HTTP/1.1 503 Unavailable\r\nContent-Length: 50\r\n\r\nshort", true,
       state::malformed, 0},
      {"nothing but a close", "", true, state::malformed, 0},
      {"half a header, then a close", "HTTP/1.1 200 Connection est", true, state::malformed, 0},
      {"not HTTP", "SSH-2.0-OpenSSH_9.2\r\n\r\n", false, state::malformed, 0},
      {"still waiting", "HTTP/1.1 200 OK\r\n", false, state::need_more, 0},
  };
  for (const auto& r : rows) {
    // Whole, and one byte at a time: the answer does not depend on how the bytes arrive.
    for (const bool bytewise : {false, true}) {
      connect_reply_reader reader;
      state got = state::need_more;
      if (bytewise) {
        for (char c : r.bytes)
          if (got == state::need_more) got = reader.feed(std::string_view(&c, 1));
      } else {
        got = reader.feed(r.bytes);
      }
      if (r.eof && got == state::need_more) got = reader.feed_eof();
      EXPECT_EQ(got, r.expected) << r.name << (bytewise ? " (byte by byte)" : "");
      EXPECT_EQ(reader.current(), r.expected) << r.name;
      if (r.expected == state::tunnel || r.expected == state::refused) EXPECT_EQ(reader.status(), r.status) << r.name;
    }
  }
}

// The tunnel's first bytes are the client's (its TLS hello): bytes the proxy sends with its
// 2xx header cannot be the server's, and are refused rather than handed to TLS.
TEST(ConnectTunnel, BytesWithThe2xxHeaderAreMalformed) {
  connect_reply_reader reader;
  EXPECT_EQ(reader.feed("HTTP/1.1 200 OK\r\n\r\n\x16\x03\x01"), state::malformed);
}

TEST(ConnectTunnel, AnEndlessHeaderIsMalformed) {
  connect_reply_reader reader({.header_bytes = 64, .body_bytes = 64});
  EXPECT_EQ(reader.feed("HTTP/1.1 200 OK\r\nX-Filler: " + std::string(100, 'a')), state::malformed);
}

}  // namespace
}  // namespace flowtrack::detail
