// mock-segment's ingest endpoints over loopback: each endpoint, auth, validation, gzip.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "http/gzip.hpp"
#include "support/http_test_client.hpp"
#include "support/mock_process.hpp"

namespace flowtrack::test {
namespace {

using json = nlohmann::json;

const http::fields auth = {{"Authorization", basic_auth("key")}, {"Content-Type", "application/json"}};

json message(const char* type, json extra = json::object()) {
  json m = {{"type", type}, {"userId", "u1"}, {"messageId", std::string("id-") + type}};
  m.update(extra);
  return m;
}

json events(const test_endpoint& ep, const std::string& query = "") {
  return http_get(ep.url(), "/admin/events" + query).json()["events"];
}

TEST(MockIngest, BatchAndImportRecordEveryMessageType) {
  test_endpoint ep;
  json batch = {{"batch",
                 {message("track", {{"event", "E"}}), message("identify"), message("page"), message("screen"),
                  message("group", {{"groupId", "g"}}), message("alias", {{"previousId", "p"}})}},
                {"sentAt", "2026-01-01T00:00:00.000Z"}};
  auto r = http_post(ep.url(), "/v1/batch", batch.dump(), auth);
  ASSERT_FALSE(r.error) << r.error.message();
  EXPECT_EQ(r.response.status, 200);
  EXPECT_EQ(r.json()["success"], true);
  auto stored = events(ep);
  ASSERT_EQ(stored.size(), 6u);
  EXPECT_EQ(stored[0]["type"], "track");
  EXPECT_EQ(stored[5]["type"], "alias");
  EXPECT_EQ(stored[0]["sentAt"], "2026-01-01T00:00:00.000Z");
  EXPECT_TRUE(stored[0]["receivedAt"].is_string());
  EXPECT_TRUE(stored[0]["requestId"].is_number());
  EXPECT_EQ(http_post(ep.url(), "/v1/import", json{{"batch", {message("identify")}}}.dump(), auth).response.status, 200);
  EXPECT_EQ(events(ep).size(), 7u);
}

TEST(MockIngest, SingleMessageEndpointsForceTheirType) {
  test_endpoint ep;
  const std::pair<const char*, json> cases[] = {
      {"/v1/track", {{"userId", "u"}, {"event", "E"}}},     {"/v1/identify", {{"userId", "u"}}},
      {"/v1/page", {{"anonymousId", "a"}}},                 {"/v1/screen", {{"userId", "u"}}},
      {"/v1/group", {{"userId", "u"}, {"groupId", "g"}}},   {"/v1/alias", {{"userId", "u"}, {"previousId", "p"}}},
  };
  for (const auto& [path, body] : cases) {
    EXPECT_EQ(http_post(ep.url(), path, body.dump(), auth).response.status, 200) << path;
  }
  auto stored = events(ep);
  ASSERT_EQ(stored.size(), 6u);
  EXPECT_EQ(stored[2]["type"], "page");
  EXPECT_EQ(stored[4]["type"], "group");
}

TEST(MockIngest, AuthByBasicHeaderOrBodyKey) {
  test_endpoint ep;
  const std::string body = json{{"batch", {message("identify")}}}.dump();
  EXPECT_EQ(http_post(ep.url(), "/v1/batch", body).response.status, 401);  // no key at all
  EXPECT_EQ(http_post(ep.url(), "/v1/batch", body, {{"Authorization", basic_auth("")}}).response.status, 401);
  EXPECT_EQ(http_post(ep.url(), "/v1/batch", json{{"batch", {message("identify")}}, {"writeKey", "k"}}.dump()).response.status,
            200);
  EXPECT_EQ(events(ep).size(), 1u);
}

TEST(MockIngest, ConfiguredWriteKeysRefuseOthers) {
  mock_process strict({"--write-key", "good", "--write-key", "also-good"});
  const std::string body = json{{"batch", {message("identify")}}}.dump();
  EXPECT_EQ(http_post(strict.url(), "/v1/batch", body, {{"Authorization", basic_auth("bad")}}).response.status, 401);
  EXPECT_EQ(http_post(strict.url(), "/v1/batch", body, {{"Authorization", basic_auth("good")}}).response.status, 200);
  EXPECT_EQ(http_post(strict.url(), "/v1/batch", body, {{"Authorization", basic_auth("also-good")}}).response.status, 200);
  EXPECT_EQ(http_get(strict.url(), "/admin/events").json()["events"].size(), 2u);
}

TEST(MockIngest, RequestLevelViolationsAre400AndRecordNothing) {
  test_endpoint ep;
  json too_many = {{"batch", json::array()}};
  for (int i = 0; i < 2501; ++i) too_many["batch"].push_back(message("identify"));
  json big_message = {{"batch", {message("track", {{"event", "E"}, {"properties", {{"x", std::string(33000, 'a')}}}})}}};
  json big_batch = {{"batch", json::array()}};
  for (int i = 0; i < 20; ++i) big_batch["batch"].push_back(message("track", {{"event", "E"}, {"properties", {{"x", std::string(30000, 'a')}}}}));
  const std::pair<const char*, std::string> cases[] = {
      {"invalid JSON", "{\"batch\": [}"},
      {"over 2500 events", too_many.dump()},
      {"message over 32 KB", big_message.dump()},
      {"batch over 500 KB", big_batch.dump()},
  };
  for (const auto& [name, body] : cases) {
    auto r = http_post(ep.url(), "/v1/batch", body, auth);
    EXPECT_EQ(r.response.status, 400) << name;
    EXPECT_EQ(r.response.header("Content-Type").substr(0, 10), "text/plain") << name;
    EXPECT_FALSE(r.response.body.empty()) << name;
  }
  EXPECT_TRUE(events(ep).empty());
  EXPECT_EQ(http_get(ep.url(), "/admin/stats").json()["events_rejected"], 0);
}

TEST(MockIngest, PerMessageProblemsAreRejectedWithAReason) {
  test_endpoint ep;
  json batch = {{"batch",
                 {message("track", {{"event", "Good"}}), json{{"type", "track"}, {"event", "E"}},
                  message("track"), message("group"), message("alias"), json{{"userId", "u"}},
                  message("identify", {{"messageId", std::string(101, 'x')}}),
                  message("identify", {{"timestamp", "not a time"}})}}};
  auto r = http_post(ep.url(), "/v1/batch", batch.dump(), auth);
  EXPECT_EQ(r.response.status, 200);
  EXPECT_EQ(events(ep).size(), 1u);
  auto rejected = http_get(ep.url(), "/admin/rejected").json()["rejected"];
  std::vector<std::string> reasons;
  for (const auto& x : rejected) reasons.push_back(x["reason"]);
  EXPECT_EQ(reasons, (std::vector<std::string>{"missing userId and anonymousId", "track without event",
                                               "group without groupId", "alias without previousId", "missing type",
                                               "messageId longer than 100 characters", "bad timestamp"}));
  auto log = http_get(ep.url(), "/admin/requests").json()["requests"];
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0]["accepted"], 1);
  EXPECT_EQ(log[0]["rejected"], 7);
}

TEST(MockIngest, GzipBodiesAreDecoded) {
  test_endpoint ep;
  std::string packed;
  http::gzip_compress(json{{"batch", {message("track", {{"event", "Zipped"}})}}}.dump(), packed);
  http::fields headers = auth;
  headers.push_back({"Content-Encoding", "gzip"});
  EXPECT_EQ(http_post(ep.url(), "/v1/batch", packed, headers).response.status, 200);
  EXPECT_EQ(events(ep)[0]["event"], "Zipped");
  EXPECT_EQ(http_get(ep.url(), "/admin/requests").json()["requests"][0]["gzip"], true);
  EXPECT_EQ(http_post(ep.url(), "/v1/batch", "not gzip", headers).response.status, 400);
}

TEST(MockIngest, BatchContextIsMergedIntoEachMessage) {
  test_endpoint ep;
  json batch = {{"batch", {message("track", {{"event", "E"}, {"context", {{"ip", "1.2.3.4"}, {"app", "mine"}}}})}},
                {"context", {{"library", {{"name", "flowtrack"}}}, {"app", "batch"}}}};
  ASSERT_EQ(http_post(ep.url(), "/v1/batch", batch.dump(), auth).response.status, 200);
  auto ctx = events(ep)[0]["context"];
  EXPECT_EQ(ctx["library"]["name"], "flowtrack");
  EXPECT_EQ(ctx["ip"], "1.2.3.4");
  EXPECT_EQ(ctx["app"], "mine");  // the message's own keys win
}

TEST(MockIngest, ConcurrentClientsAreCountedExactly) {
  test_endpoint ep;
  constexpr int threads = 16, per_thread = 50;
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  for (int t = 0; t < threads; ++t) {
    clients.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        json m = message("track", {{"event", "E"}, {"messageId", std::to_string(t) + "-" + std::to_string(i)}});
        if (http_post(ep.url(), "/v1/batch", json{{"batch", {m, message("identify", {{"messageId", "dup"}})}}}.dump(), auth)
                .response.status == 200)
          ++ok;
      }
    });
  }
  for (auto& c : clients) c.join();
  EXPECT_EQ(ok.load(), threads * per_thread);
  auto stats = http_get(ep.url(), "/admin/stats").json();
  EXPECT_EQ(stats["requests"], threads * per_thread);
  EXPECT_EQ(stats["events_accepted"], 2 * threads * per_thread);
  EXPECT_EQ(stats["unique_message_ids"], threads * per_thread + 1);
  EXPECT_EQ(stats["duplicates"], threads * per_thread - 1);
}

}  // namespace
}  // namespace flowtrack::test
