// mock-segment against input meant to bring it down, as a process: one deeply nested message,
// many big bodies arriving slowly at once, a cross-origin page changing its mode, an admin token.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "mock_segment_test.hpp"
#include "support/http_test_client.hpp"

namespace flowtrack::test {
namespace {

using json = nlohmann::json;

const http::fields auth = {{"Authorization", basic_auth("key")}};

// A plain connected socket to the server of `url` (http://127.0.0.1:PORT).
struct raw_connection {
  int fd = -1;
  explicit raw_connection(const std::string& url) {
    const auto port = static_cast<std::uint16_t>(std::stoi(url.substr(url.rfind(':') + 1)));
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      ::close(fd);
      fd = -1;
    }
  }
  ~raw_connection() {
    if (fd >= 0) ::close(fd);
  }
  raw_connection(const raw_connection&) = delete;
  raw_connection& operator=(const raw_connection&) = delete;
  bool send_all(const std::string& bytes) const {
    return ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
  }
  std::string read_some() const {
    char buf[4096];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);  // blocks until the server answers or closes
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
  }
};

class MockHostile : public MockSegmentTest {};

TEST_F(MockHostile, ADeeplyNestedMessageIsRefusedAndTheServerLivesOn) {
  const std::string deep = R"({"batch":[{"type":"track","userId":"u","event":"E","messageId":"deep","properties":{"p":)" +
                           std::string(100000, '[') + std::string(100000, ']') + "}}]}";
  const auto r = http_post(url(), "/v1/batch", deep, auth);
  ASSERT_FALSE(r.error) << "the server must answer, not crash";
  EXPECT_EQ(r.response.status, 400);
  const auto admin = http_post(url(), "/admin/faults", std::string(200000, '['));
  EXPECT_EQ(admin.response.status, 400);
  EXPECT_EQ(http_get(url(), "/admin/stats").response.status, 200);
  json ok = {{"batch", {{{"type", "track"}, {"userId", "u"}, {"event", "E"}, {"messageId", "after"}}}}};
  EXPECT_EQ(http_post(url(), "/v1/batch", ok.dump(), auth).response.status, 200);
}

TEST_F(MockHostile, ACrossOriginPageCannotChangeTheMode) {
  EXPECT_EQ(http_post(url(), "/admin/mode", R"({"mode":"error500"})", {{"Content-Type", "text/plain"}}).response.status, 415);
  EXPECT_EQ(http_post(url(), "/admin/mode", R"({"mode":"error500"})",
                      {{"Content-Type", "application/json"}, {"Origin", "http://evil.example"}})
                .response.status,
            403);
  json ok = {{"batch", {{{"type", "track"}, {"userId", "u"}, {"event", "E"}, {"messageId", "m1"}}}}};
  EXPECT_EQ(http_post(url(), "/v1/batch", ok.dump(), auth).response.status, 200) << "the mode did not change";
}

TEST(MockHostileProcess, TheAdminTokenIsRequiredToChangeState) {
  REQUIRE_LOCAL_MOCK();
  auto p = start_mock({"--admin-token", "s3cret"});
  EXPECT_EQ(http_post(p->url(), "/admin/mode", R"({"mode":"error500"})").response.status, 401);
  EXPECT_EQ(http_post(p->url(), "/admin/mode", R"({"mode":"error500"})", {{"Authorization", "Bearer s3cret"}})
                .response.status,
            200);
  EXPECT_EQ(http_get(p->url(), "/admin/stats").response.status, 200) << "reads need no token";
}

TEST(MockHostileProcess, BodiesInFlightPastTheGlobalCapGet503AndTheServerKeepsServing) {
  REQUIRE_LOCAL_MOCK();
  auto p = start_mock({"--max-inflight-bytes", "262144"});  // 256 KiB across all connections
  // Eight slow clients, each 48 KiB into a 500 KB body: together past the cap.
  std::vector<std::unique_ptr<raw_connection>> slow;
  const std::string head = "POST /v1/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                           "Content-Length: 500000\r\nAuthorization: " + basic_auth("key") + "\r\n\r\n";
  for (int i = 0; i < 8; ++i) {
    slow.push_back(std::make_unique<raw_connection>(p->url()));
    ASSERT_GE(slow.back()->fd, 0);
    ASSERT_TRUE(slow.back()->send_all(head + std::string(std::size_t{48} * 1024, ' ')));
  }
  // More of each body, a round at a time, until the server answers one: by the fourth round the
  // bodies together are past the cap, so some connection must get a 503 long before any body
  // is complete (500000 bytes). No timing is assumed: the last wait is generous.
  int refused = 0;
  for (int round = 0; round < 24 && refused == 0; ++round) {
    for (auto& c : slow) (void)c->send_all(std::string(std::size_t{16} * 1024, ' '));  // a refused one may be closed
    std::vector<pollfd> fds;
    fds.reserve(slow.size());
    for (auto& c : slow) fds.push_back({.fd = c->fd, .events = POLLIN, .revents = 0});
    if (::poll(fds.data(), fds.size(), round == 23 ? 10000 : 50) <= 0) continue;
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (!(fds[i].revents & POLLIN)) continue;
      const std::string answer = slow[i]->read_some();
      if (!answer.starts_with("HTTP/1.1 503")) continue;
      ++refused;
      EXPECT_NE(answer.find("Retry-After: 1"), std::string::npos);
    }
  }
  EXPECT_GE(refused, 1);
  slow.clear();
  EXPECT_EQ(http_get(p->url(), "/admin/stats").response.status, 200);
}

}  // namespace
}  // namespace flowtrack::test
