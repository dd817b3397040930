// mock-segment as a process and an HTTP/1.1 server: its one stdout line, the --log stderr log,
// SIGTERM/SIGINT, keep-alive, pipelining, idle timeouts, many connections at once.
#include <gtest/gtest.h>

#include <array>
#include <csignal>
#include <regex>

#include <asio/connect.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/write.hpp>

#include "mock_segment_test.hpp"
#include "support/child_process.hpp"

namespace flowtrack::test {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

class MockServer : public MockSegmentTest {};

const std::string one_event = json{{"batch", {{{"type", "identify"}, {"userId", "u"}}}}}.dump();

// A raw keep-alive connection with blocking I/O, for what the one-shot client cannot do.
class raw_connection {
 public:
  explicit raw_connection(const std::string& url) : socket_(io_) {
    std::string authority = url.substr(url.find("://") + 3);
    const auto colon = authority.rfind(':');
    asio::ip::tcp::resolver resolver(io_);
    asio::connect(socket_, resolver.resolve(authority.substr(0, colon), authority.substr(colon + 1)));
  }
  void send(const std::string& bytes) { asio::write(socket_, asio::buffer(bytes)); }
  /// Reads one response (bytes after it stay for the next call); nullopt on EOF/error.
  std::optional<http::response> read_response() {
    http::response_parser parser;
    if (!leftover_.empty() && parser.feed(std::exchange(leftover_, {}))) return std::nullopt;
    std::array<char, 4096> buf;
    while (!parser.done()) {
      std::error_code ec;
      const std::size_t n = socket_.read_some(asio::buffer(buf), ec);
      if (ec) return std::nullopt;
      if (parser.feed(std::string_view(buf.data(), n))) return std::nullopt;
    }
    leftover_ = parser.take_leftover();
    return parser.release();
  }
  /// Blocks until the server closes the connection: true on a clean EOF with no bytes.
  bool wait_for_close() {
    std::array<char, 256> buf;
    std::error_code ec;
    const std::size_t n = socket_.read_some(asio::buffer(buf), ec);
    return n == 0 && ec == asio::error::eof;
  }

 private:
  asio::io_context io_;
  asio::ip::tcp::socket socket_;
  std::string leftover_;
};

std::string post_request(const std::string& path, const std::string& body, bool keep_alive = true) {
  const http::fields headers = {{"Host", "mock"}, {"Authorization", basic_auth("key")},
                                {"Content-Type", "application/json"}};
  return http::serialize_request_head("POST", path, headers, body.size(), keep_alive) + body;
}

TEST_F(MockServer, KeepAliveServesManyRequestsOnOneConnection) {
  raw_connection c(url());
  for (int i = 0; i < 5; ++i) {
    c.send(post_request("/v1/batch", one_event));
    auto r = c.read_response();
    ASSERT_TRUE(r) << "request " << i;
    EXPECT_EQ(r->status, 200);
    EXPECT_TRUE(r->keep_alive);
  }
  EXPECT_EQ(http_get(url(), "/admin/stats").json()["events_accepted"], 5);
}

TEST_F(MockServer, PipelinedRequestsAreAnsweredInOrder) {
  raw_connection c(url());
  // Three requests in one write: an ingest, an admin read, a refused ingest.
  c.send(post_request("/v1/track", R"({"userId":"u","event":"First"})") +
         http::serialize_request_head("GET", "/admin/events?event=First", {{"Host", "mock"}}, 0) +
         post_request("/v1/batch", "{nope", false));
  auto first = c.read_response();
  auto second = c.read_response();
  auto third = c.read_response();
  ASSERT_TRUE(first && second && third);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(second->status, 200);
  EXPECT_EQ(json::parse(second->body)["events"].size(), 1u);  // the first one was recorded before
  EXPECT_EQ(third->status, 400);
  EXPECT_TRUE(c.wait_for_close());  // it asked for Connection: close
}

TEST_F(MockServer, MalformedHttpGets400AndClose) {
  raw_connection c(url());
  c.send("THIS IS NOT HTTP\r\n\r\n");
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_TRUE(c.wait_for_close());
}

TEST_F(MockServer, ManyConcurrentConnectionsStayOpen) {
  constexpr int connections = 200;
  std::vector<std::unique_ptr<raw_connection>> open;
  open.reserve(connections);
  for (int i = 0; i < connections; ++i) open.push_back(std::make_unique<raw_connection>(url()));
  for (auto& c : open) c->send(post_request("/v1/batch", one_event));
  for (auto& c : open) {
    auto r = c->read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
  EXPECT_EQ(http_get(url(), "/admin/stats").json()["events_accepted"], connections);
}

// A mock-segment child whose stdout and stderr the test reads, and whose exit status it sees.
struct mock_child {
  explicit mock_child(std::vector<std::string> args) : proc(with_binary(std::move(args))) {
    if (proc.wait_for_output("\n", 10s)) {
      const std::string& out = proc.output();
      const std::string prefix = "listening on ";
      if (out.starts_with(prefix)) url = out.substr(prefix.size(), out.find('\n') - prefix.size());
    }
  }
  static std::vector<std::string> with_binary(std::vector<std::string> args) {
    args.insert(args.begin(), mock_segment_binary());
    return args;
  }
  child_process proc;
  std::string url;
};

TEST(MockProcess, PrintsOnlyTheListeningLineAndLogsToStderr) {
  REQUIRE_LOCAL_MOCK();
  mock_child child({"--port", "0", "--log"});
  auto& p = child.proc;
  ASSERT_FALSE(child.url.empty()) << p.output() << p.errors();
  std::smatch m;
  const std::string first_line = p.output().substr(0, p.output().find('\n'));
  ASSERT_TRUE(std::regex_match(first_line, m, std::regex(R"(listening on (http://127\.0\.0\.1:[1-9][0-9]*))")))
      << first_line;
  const std::string base = m[1];
  EXPECT_EQ(http_post(base, "/v1/batch", one_event, {{"Authorization", basic_auth("k")}}).response.status, 200);
  EXPECT_EQ(http_get(base, "/admin/stats").response.status, 200);
  p.signal(SIGTERM);
  EXPECT_EQ(p.exit_code(), 0);
  EXPECT_EQ(p.output(), "listening on " + base + "\n");  // nothing else on stdout
  EXPECT_NE(p.errors().find("POST /v1/batch -> 200"), std::string::npos) << p.errors();
  EXPECT_NE(p.errors().find("GET /admin/stats -> 200"), std::string::npos) << p.errors();
}

TEST(MockProcess, NoLogFlagMeansSilentStderr) {
  REQUIRE_LOCAL_MOCK();
  mock_child child({"--port", "0"});
  auto& p = child.proc;
  const std::string base = child.url;
  ASSERT_FALSE(base.empty()) << p.errors();
  EXPECT_EQ(http_post(base, "/v1/batch", one_event, {{"Authorization", basic_auth("k")}}).response.status, 200);
  p.signal(SIGTERM);
  EXPECT_EQ(p.exit_code(), 0);
  EXPECT_EQ(p.errors(), "");
}

class MockSignals : public ::testing::TestWithParam<int> {};

TEST_P(MockSignals, ExitsZeroEvenWithOpenAndBlackholedConnections) {
  REQUIRE_LOCAL_MOCK();
  mock_child p({"--port", "0"});
  ASSERT_FALSE(p.url.empty()) << p.proc.output() << p.proc.errors();
  raw_connection idle(p.url);  // an idle keep-alive connection
  ASSERT_EQ(http_post(p.url, "/admin/faults", R"({"action":"blackhole"})").response.status, 200);
  raw_connection held(p.url);
  held.send(post_request("/v1/batch", one_event));
  // The fault is consumed once the server has read the request (polling its state, no sleep).
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!http_get(p.url, "/admin/faults").json()["faults"].empty() && std::chrono::steady_clock::now() < deadline) {
  }
  ASSERT_TRUE(http_get(p.url, "/admin/faults").json()["faults"].empty());
  p.proc.signal(GetParam());
  EXPECT_EQ(p.proc.exit_code(), 0) << p.proc.errors();
  EXPECT_FALSE(held.read_response());  // closed without an answer
  EXPECT_TRUE(idle.wait_for_close());
}

INSTANTIATE_TEST_SUITE_P(SigtermAndSigint, MockSignals, ::testing::Values(SIGTERM, SIGINT));

TEST(MockProcess, IdleConnectionsAreClosedAfterTheTimeout) {
  REQUIRE_LOCAL_MOCK();
  auto p = start_mock({"--idle-timeout", "1"});
  raw_connection c(p->url());
  c.send(post_request("/v1/batch", one_event));
  ASSERT_TRUE(c.read_response());
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.wait_for_close());  // blocks until the server gives up on the idle connection
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, 900ms);
  EXPECT_LT(waited, 10s);
}

TEST(MockProcess, BadArgumentsFailWithoutListening) {
  REQUIRE_LOCAL_MOCK();
  child_process missing_port({mock_segment_binary()});
  EXPECT_NE(missing_port.exit_code(), 0);
  EXPECT_EQ(missing_port.output(), "");
  child_process bad_mode({mock_segment_binary(), "--port", "0", "--mode", "sideways"});
  EXPECT_NE(bad_mode.exit_code(), 0);
  EXPECT_EQ(bad_mode.output(), "");
}

}  // namespace
}  // namespace flowtrack::test
