#include "http/http_codec.hpp"
#include "http/gzip.hpp"

#include <gtest/gtest.h>

#include <string>

namespace flowtrack::http {
namespace {

// Feeds `wire` to a parser in pieces of `step` bytes.
template <bool IsRequest>
std::error_code feed_in_steps(parser<IsRequest>& p, std::string_view wire, std::size_t step) {
  for (std::size_t i = 0; i < wire.size(); i += step) {
    if (auto ec = p.feed(wire.substr(i, step))) return ec;
  }
  return {};
}

TEST(ResponseParser, ParsesContentLengthResponseAtEverySplit) {
  const std::string wire =
      "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\nContent-Length: 2\r\n\r\nOK";
  for (std::size_t step = 1; step <= wire.size(); ++step) {
    response_parser p;
    ASSERT_FALSE(feed_in_steps(p, wire, step)) << step;
    ASSERT_TRUE(p.done()) << step;
    auto r = p.release();
    EXPECT_EQ(r.status, 429);
    EXPECT_EQ(r.header("retry-after"), "7");
    EXPECT_EQ(r.body, "OK");
    EXPECT_TRUE(r.keep_alive);
  }
}

// Regression: Beast's chunked parser asserted on legitimate bodies split at unlucky
// boundaries; the build disables BOOST_ASSERT and every split must parse.
TEST(ResponseParser, ParsesChunkedBodyAtEverySplit) {
  const std::string wire =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;ext=1\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nTrailer: x\r\n\r\n";
  for (std::size_t step = 1; step <= wire.size(); ++step) {
    response_parser p;
    ASSERT_FALSE(feed_in_steps(p, wire, step)) << step;
    ASSERT_TRUE(p.done()) << step;
    EXPECT_EQ(p.release().body, "hello world");
  }
}

TEST(ResponseParser, BodyDelimitedByEof) {
  response_parser p;
  ASSERT_FALSE(p.feed("HTTP/1.1 200 OK\r\n\r\npartial body"));
  EXPECT_FALSE(p.done());
  ASSERT_FALSE(p.feed_eof());
  ASSERT_TRUE(p.done());
  auto r = p.release();
  EXPECT_EQ(r.body, "partial body");
  EXPECT_FALSE(r.keep_alive);
}

TEST(ResponseParser, EofBeforeAnyByteIsTruncatedNotACrash) {
  response_parser p;
  EXPECT_FALSE(p.got_some());
  EXPECT_EQ(p.feed_eof(), parse_error::truncated);
}

TEST(ResponseParser, EofInsideContentLengthBodyIsTruncated) {
  response_parser p;
  ASSERT_FALSE(p.feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"));
  EXPECT_EQ(p.feed_eof(), parse_error::truncated);
}

TEST(ResponseParser, RejectsGarbage) {
  response_parser p;
  EXPECT_EQ(p.feed("\x16\x03\x01 this is not http\r\n\r\n"), parse_error::malformed);
  EXPECT_EQ(p.feed("more"), parse_error::malformed);
}

TEST(ResponseParser, EnforcesHeaderAndBodyLimits) {
  response_parser small_header{limits{.header_bytes = 64, .body_bytes = 1024}};
  EXPECT_EQ(small_header.feed("HTTP/1.1 200 OK\r\nX-Long: " + std::string(200, 'a') + "\r\n\r\n"),
            parse_error::header_too_large);
  response_parser small_body{limits{.header_bytes = 1024, .body_bytes = 4}};
  EXPECT_EQ(small_body.feed("HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\n"),
            parse_error::body_too_large);
}

TEST(ResponseParser, InterimResponseIsDoneAndKeepsTheFinalOneAsLeftover) {
  response_parser p;
  ASSERT_FALSE(p.feed("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK"));
  ASSERT_TRUE(p.done());
  EXPECT_TRUE(p.interim());
  response_parser final_response;
  ASSERT_FALSE(final_response.feed(p.take_leftover()));
  ASSERT_TRUE(final_response.done());
  EXPECT_FALSE(final_response.interim());
  EXPECT_EQ(final_response.release().body, "OK");
}

TEST(ResponseParser, OnlyNon101InformationalStatusesAreInterim) {
  const std::pair<const char*, bool> cases[] = {{"HTTP/1.1 102 Processing\r\n\r\n", true},
                                                {"HTTP/1.1 103 Early Hints\r\n\r\n", true},
                                                {"HTTP/1.1 101 Switching Protocols\r\n\r\n", false},
                                                {"HTTP/1.1 204 No Content\r\n\r\n", false}};
  for (const auto& [wire, interim] : cases) {
    response_parser p;
    ASSERT_FALSE(p.feed(wire)) << wire;
    EXPECT_EQ(p.interim(), interim) << wire;
  }
  response_parser partial;
  ASSERT_FALSE(partial.feed("HTTP/1.1 100 Cont"));
  EXPECT_FALSE(partial.interim());  // not until its header is complete
  request_parser request;
  ASSERT_FALSE(request.feed("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_FALSE(request.interim());
}

TEST(RequestParser, KeepsPipelinedLeftover) {
  request_parser p;
  ASSERT_FALSE(p.feed("POST /v1/batch HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}GET / HTTP/1.1\r\n"));
  ASSERT_TRUE(p.done());
  auto r = p.release();
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/v1/batch");
  EXPECT_EQ(r.body, "{}");
  EXPECT_EQ(p.take_leftover(), "GET / HTTP/1.1\r\n");
}

TEST(Serializer, RequestHeadRoundTripsThroughRequestParser) {
  const std::string body = R"({"batch":[]})";
  std::string wire = serialize_request_head("POST", "/v1/batch",
                                            {{"Host", "api.segment.io"}, {"Content-Type", "application/json"}},
                                            body.size());
  wire += body;
  request_parser p;
  ASSERT_FALSE(p.feed(wire));
  ASSERT_TRUE(p.done());
  auto r = p.release();
  EXPECT_EQ(r.header("content-length"), std::to_string(body.size()));
  EXPECT_EQ(r.header("Content-Type"), "application/json");
  EXPECT_EQ(r.body, body);
  EXPECT_TRUE(r.keep_alive);
}

TEST(Serializer, ResponseRoundTripsThroughResponseParser) {
  response out{.status = 400, .reason = {}, .headers = {{"Content-Type", "text/plain"}}, .body = "bad", .keep_alive = false};
  response_parser p;
  ASSERT_FALSE(p.feed(serialize_response(out)));
  ASSERT_TRUE(p.done());
  auto in = p.release();
  EXPECT_EQ(in.status, 400);
  EXPECT_EQ(in.reason, "Bad Request");
  EXPECT_EQ(in.body, "bad");
  EXPECT_FALSE(in.keep_alive);
}

TEST(Gzip, RoundTrips) {
  std::string text;
  for (int i = 0; i < 1000; ++i) text += R"({"type":"track","event":"Command Completed"},)";
  std::string packed, unpacked;
  gzip_compress(text, packed);
  EXPECT_LT(packed.size(), text.size() / 10);
  ASSERT_FALSE(gzip_decompress(packed, unpacked, text.size()));
  EXPECT_EQ(unpacked, text);
}

TEST(Gzip, RejectsCorruptTruncatedAndOversizedInput) {
  std::string packed, out;
  gzip_compress(std::string(100000, 'x'), packed);
  EXPECT_EQ(gzip_decompress(packed, out, 1000), std::errc::value_too_large);
  EXPECT_EQ(gzip_decompress(packed.substr(0, packed.size() / 2), out, 1 << 20), std::errc::bad_message);
  EXPECT_EQ(gzip_decompress("not gzip at all", out, 1 << 20), std::errc::bad_message);
}

}  // namespace
}  // namespace flowtrack::http
