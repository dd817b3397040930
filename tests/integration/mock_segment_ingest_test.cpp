// mock-segment's ingest endpoints over loopback: each endpoint, auth, validation, gzip.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "http/gzip.hpp"
#include "support/http_test_client.hpp"
#include "mock_segment_test.hpp"

namespace flowtrack::test {
namespace {

class MockIngest : public MockSegmentTest {};

using json = nlohmann::json;

const http::fields auth = {{"Authorization", basic_auth("key")}, {"Content-Type", "application/json"}};

json message(const char* type, const json& extra = json::object()) {
  json m = {{"type", type}, {"userId", "u1"}, {"messageId", std::string("id-") + type}};
  m.update(extra);
  return m;
}

json events(const std::string& base, const std::string& query = "") {
  return http_get(base, "/admin/events" + query).json()["events"];
}

TEST_F(MockIngest, BatchAndImportRecordEveryMessageType) {
  json batch = {{"batch",
                 {message("track", {{"event", "E"}}), message("identify"), message("page"), message("screen"),
                  message("group", {{"groupId", "g"}}), message("alias", {{"previousId", "p"}})}},
                {"sentAt", "2026-01-01T00:00:00.000Z"}};
  auto r = http_post(url(), "/v1/batch", batch.dump(), auth);
  ASSERT_FALSE(r.error) << r.error.message();
  EXPECT_EQ(r.response.status, 200);
  EXPECT_EQ(r.json()["success"], true);
  auto stored = events(url());
  ASSERT_EQ(stored.size(), 6u);
  EXPECT_EQ(stored[0]["type"], "track");
  EXPECT_EQ(stored[5]["type"], "alias");
  EXPECT_EQ(stored[0]["sentAt"], "2026-01-01T00:00:00.000Z");
  EXPECT_TRUE(stored[0]["receivedAt"].is_string());
  EXPECT_TRUE(stored[0]["requestId"].is_number());
  EXPECT_EQ(http_post(url(), "/v1/import", json{{"batch", {message("identify")}}}.dump(), auth).response.status, 200);
  EXPECT_EQ(events(url()).size(), 7u);
}

TEST_F(MockIngest, SingleMessageEndpointsForceTheirType) {
  const std::pair<const char*, json> cases[] = {
      {"/v1/track", {{"userId", "u"}, {"event", "E"}}},     {"/v1/identify", {{"userId", "u"}}},
      {"/v1/page", {{"anonymousId", "a"}}},                 {"/v1/screen", {{"userId", "u"}}},
      {"/v1/group", {{"userId", "u"}, {"groupId", "g"}}},   {"/v1/alias", {{"userId", "u"}, {"previousId", "p"}}},
  };
  for (const auto& [path, body] : cases) {
    EXPECT_EQ(http_post(url(), path, body.dump(), auth).response.status, 200) << path;
  }
  auto stored = events(url());
  ASSERT_EQ(stored.size(), 6u);
  EXPECT_EQ(stored[2]["type"], "page");
  EXPECT_EQ(stored[4]["type"], "group");
}

TEST_F(MockIngest, AuthByBasicHeaderOrBodyKey) {
  const std::string body = json{{"batch", {message("identify")}}}.dump();
  EXPECT_EQ(http_post(url(), "/v1/batch", body).response.status, 401);  // no key at all
  EXPECT_EQ(http_post(url(), "/v1/batch", body, {{"Authorization", basic_auth("")}}).response.status, 401);
  EXPECT_EQ(http_post(url(), "/v1/batch", json{{"batch", {message("identify")}}, {"writeKey", "k"}}.dump()).response.status,
            200);
  EXPECT_EQ(events(url()).size(), 1u);
}

TEST_F(MockIngest, ConfiguredWriteKeysRefuseOthers) {
  REQUIRE_LOCAL_MOCK();
  auto strict = start_mock({"--write-key", "good", "--write-key", "also-good"});
  const std::string body = json{{"batch", {message("identify")}}}.dump();
  EXPECT_EQ(http_post(strict->url(), "/v1/batch", body, {{"Authorization", basic_auth("bad")}}).response.status, 401);
  EXPECT_EQ(http_post(strict->url(), "/v1/batch", body, {{"Authorization", basic_auth("good")}}).response.status, 200);
  EXPECT_EQ(http_post(strict->url(), "/v1/batch", body, {{"Authorization", basic_auth("also-good")}}).response.status, 200);
  EXPECT_EQ(http_get(strict->url(), "/admin/events").json()["events"].size(), 2u);
}

TEST_F(MockIngest, RequestLevelViolationsAre400AndRecordNothing) {
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
    auto r = http_post(url(), "/v1/batch", body, auth);
    EXPECT_EQ(r.response.status, 400) << name;
    EXPECT_EQ(r.response.header("Content-Type").substr(0, 10), "text/plain") << name;
    EXPECT_FALSE(r.response.body.empty()) << name;
  }
  EXPECT_TRUE(events(url()).empty());
  EXPECT_EQ(http_get(url(), "/admin/stats").json()["events_rejected"], 0);
}

TEST_F(MockIngest, PerMessageProblemsAreRejectedWithAReason) {
  json batch = {{"batch",
                 {message("track", {{"event", "Good"}}), json{{"type", "track"}, {"event", "E"}},
                  message("track"), message("group"), message("alias"), json{{"userId", "u"}},
                  message("identify", {{"messageId", std::string(101, 'x')}}),
                  message("identify", {{"timestamp", "not a time"}})}}};
  auto r = http_post(url(), "/v1/batch", batch.dump(), auth);
  EXPECT_EQ(r.response.status, 200);
  EXPECT_EQ(events(url()).size(), 1u);
  auto rejected = http_get(url(), "/admin/rejected").json()["rejected"];
  std::vector<std::string> reasons;
  for (const auto& x : rejected) reasons.push_back(x["reason"]);
  EXPECT_EQ(reasons, (std::vector<std::string>{"missing userId and anonymousId", "track without event",
                                               "group without groupId", "alias without previousId", "missing type",
                                               "messageId longer than 100 characters", "bad timestamp"}));
  auto log = http_get(url(), "/admin/requests").json()["requests"];
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0]["accepted"], 1);
  EXPECT_EQ(log[0]["rejected"], 7);
}

TEST_F(MockIngest, GzipBodiesAreDecoded) {
  std::string packed;
  http::gzip_compress(json{{"batch", {message("track", {{"event", "Zipped"}})}}}.dump(), packed);
  http::fields headers = auth;
  headers.push_back({"Content-Encoding", "gzip"});
  EXPECT_EQ(http_post(url(), "/v1/batch", packed, headers).response.status, 200);
  EXPECT_EQ(events(url())[0]["event"], "Zipped");
  EXPECT_EQ(http_get(url(), "/admin/requests").json()["requests"][0]["gzip"], true);
  EXPECT_EQ(http_post(url(), "/v1/batch", "not gzip", headers).response.status, 400);
}

TEST_F(MockIngest, BatchContextIsMergedIntoEachMessage) {
  json batch = {{"batch", {message("track", {{"event", "E"}, {"context", {{"ip", "1.2.3.4"}, {"app", "mine"}}}})}},
                {"context", {{"library", {{"name", "flowtrack"}}}, {"app", "batch"}}}};
  ASSERT_EQ(http_post(url(), "/v1/batch", batch.dump(), auth).response.status, 200);
  auto ctx = events(url())[0]["context"];
  EXPECT_EQ(ctx["library"]["name"], "flowtrack");
  EXPECT_EQ(ctx["ip"], "1.2.3.4");
  EXPECT_EQ(ctx["app"], "mine");  // the message's own keys win
}

TEST_F(MockIngest, ConcurrentClientsAreCountedExactly) {
  constexpr int threads = 16, per_thread = 50;
  std::vector<std::thread> clients;
  clients.reserve(threads);
  std::atomic<int> ok{0};
  for (int t = 0; t < threads; ++t) {
    clients.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        json m = message("track", {{"event", "E"}, {"messageId", std::to_string(t) + "-" + std::to_string(i)}});
        if (http_post(url(), "/v1/batch", json{{"batch", {m, message("identify", {{"messageId", "dup"}})}}}.dump(), auth)
                .response.status == 200)
          ++ok;
      }
    });
  }
  for (auto& c : clients) c.join();
  EXPECT_EQ(ok.load(), threads * per_thread);
  auto stats = http_get(url(), "/admin/stats").json();
  EXPECT_EQ(stats["requests"], threads * per_thread);
  EXPECT_EQ(stats["events_accepted"], 2 * threads * per_thread);
  EXPECT_EQ(stats["unique_message_ids"], threads * per_thread + 1);
  EXPECT_EQ(stats["duplicates"], threads * per_thread - 1);
}


TEST_F(MockIngest, ConfiguredWriteKeysApplyToBodyKeysToo) {
  REQUIRE_LOCAL_MOCK();
  auto strict = start_mock({"--write-key", "good"});
  auto with_key = [](const char* key) { return json{{"batch", {message("identify")}}, {"writeKey", key}}.dump(); };
  EXPECT_EQ(http_post(strict->url(), "/v1/batch", with_key("bad")).response.status, 401);
  EXPECT_EQ(http_post(strict->url(), "/v1/batch", with_key("good")).response.status, 200);
  EXPECT_EQ(http_post(strict->url(), "/v1/batch", json{{"batch", {message("identify")}}}.dump()).response.status, 401);
  EXPECT_EQ(http_post(strict->url(), "/v1/batch", with_key("good"), {{"Authorization", "Basic !!!not-base64"}})
                .response.status,
            200);  // an unreadable header falls back to the body's key
  auto stats = http_get(strict->url(), "/admin/stats").json();
  EXPECT_EQ(stats["by_status"]["401"], 2);
  EXPECT_EQ(stats["events_accepted"], 2);
}

TEST_F(MockIngest, SuccessLooksLikeSegment) {
  auto r = http_post(url(), "/v1/track", json{{"userId", "u"}, {"event", "E"}}.dump(), auth);
  ASSERT_FALSE(r.error) << r.error.message();
  EXPECT_EQ(r.response.status, 200);
  EXPECT_EQ(r.response.header("Content-Type"), "application/json");
  EXPECT_EQ(r.response.body, R"({"success":true})");
}

TEST_F(MockIngest, ExactlyTheLimitsAreAccepted) {
  json full = {{"batch", json::array()}};
  for (int i = 0; i < 2500; ++i) full["batch"].push_back(message("identify", {{"messageId", std::to_string(i)}}));
  EXPECT_EQ(http_post(url(), "/v1/batch", full.dump(), auth).response.status, 200);
  // One message of exactly 32768 bytes of JSON.
  json big = message("track", {{"event", "E"}, {"properties", {{"x", ""}}}});
  big["properties"]["x"] = std::string(32768 - big.dump().size(), 'a');
  ASSERT_EQ(big.dump().size(), 32768u);
  EXPECT_EQ(http_post(url(), "/v1/batch", json{{"batch", {big}}}.dump(), auth).response.status, 200);
  big["properties"]["x"].get_ref<std::string&>().push_back('a');
  EXPECT_EQ(http_post(url(), "/v1/batch", json{{"batch", {big}}}.dump(), auth).response.status, 400);
  EXPECT_EQ(http_get(url(), "/admin/stats").json()["events_accepted"], 2501);
}

TEST_F(MockIngest, OversizedBodiesOnTheWireAndDecoded) {
  // Over 500 KB decoded but under the 600 KiB wire limit: the API's 400.
  json batch = {{"batch", json::array()}};
  for (int i = 0; i < 17; ++i)
    batch["batch"].push_back(message("track", {{"event", "E"}, {"properties", {{"x", std::string(31000, 'a')}}}}));
  const std::string body = batch.dump();
  ASSERT_GT(body.size(), 500u * 1024);
  ASSERT_LT(body.size(), 600u * 1024);
  auto r = http_post(url(), "/v1/batch", body, auth);
  EXPECT_EQ(r.response.status, 400);
  EXPECT_NE(r.response.body.find("too large"), std::string::npos) << r.response.body;
  // Over 600 KiB on the wire: 413 before the body is even parsed as JSON.
  EXPECT_EQ(http_post(url(), "/v1/batch", std::string(std::size_t{700} * 1024, ' '), auth).response.status, 413);
  // gzip: small on the wire, over 500 KB decoded -> 400; over the 1 MiB decoded cap -> 400.
  http::fields gz = auth;
  gz.push_back({"Content-Encoding", "gzip"});
  std::string packed;
  http::gzip_compress(body, packed);
  ASSERT_LT(packed.size(), 100u * 1024);
  EXPECT_EQ(http_post(url(), "/v1/batch", packed, gz).response.status, 400);
  http::gzip_compress(std::string(2 << 20, ' '), packed);
  auto bomb = http_post(url(), "/v1/batch", packed, gz);
  EXPECT_EQ(bomb.response.status, 400);
  EXPECT_NE(bomb.response.body.find("too large"), std::string::npos) << bomb.response.body;
  EXPECT_TRUE(events(url()).empty());
}

TEST_F(MockIngest, GzipSingleMessageEndpoint) {
  std::string packed;
  http::gzip_compress(json{{"userId", "u"}, {"event", "Zipped Single"}}.dump(), packed);
  http::fields headers = auth;
  headers.push_back({"Content-Encoding", "gzip"});
  EXPECT_EQ(http_post(url(), "/v1/track", packed, headers).response.status, 200);
  auto log = http_get(url(), "/admin/requests").json()["requests"];
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0]["bodyBytes"], packed.size());  // the size on the wire, not decoded
  EXPECT_EQ(events(url())[0]["event"], "Zipped Single");
}

TEST_F(MockIngest, AcceptedEventsCarryReceivedAtRequestIdAndSentAt) {
  ASSERT_EQ(http_post(url(), "/v1/batch",
                      json{{"batch", {message("identify")}}, {"sentAt", "2026-03-04T05:06:07.089Z"}}.dump(), auth)
                .response.status,
            200);
  ASSERT_EQ(http_post(url(), "/v1/batch", json{{"batch", {message("identify")}}}.dump(), auth).response.status, 200);
  auto stored = events(url());
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[0]["sentAt"], "2026-03-04T05:06:07.089Z");
  EXPECT_FALSE(stored[1].contains("sentAt"));
  const std::string received = stored[0]["receivedAt"];
  EXPECT_EQ(received.size(), 24u);  // YYYY-MM-DDTHH:MM:SS.mmmZ
  EXPECT_EQ(received.back(), 'Z');
  EXPECT_NE(stored[0]["requestId"], stored[1]["requestId"]);
  auto log = http_get(url(), "/admin/requests").json()["requests"];
  EXPECT_EQ(log[0]["id"], stored[0]["requestId"]);
}

TEST_F(MockIngest, EachValidationRuleOverTheWire) {
  const std::pair<json, std::string> cases[] = {
      {json{{"userId", "u"}, {"event", "E"}}, "missing type"},
      {message("click"), "unknown type: click"},
      {json{{"type", "identify"}}, "missing userId and anonymousId"},
      {message("track"), "track without event"},
      {message("group"), "group without groupId"},
      {message("alias"), "alias without previousId"},
      {message("identify", {{"messageId", std::string(101, 'm')}}), "messageId longer than 100 characters"},
      {message("identify", {{"timestamp", "2026-13-01T00:00:00Z"}}), "bad timestamp"},
      {message("identify", {{"sentAt", "yesterday"}}), "bad sentAt"},
      {message("identify", {{"originalTimestamp", 12345}}), "bad originalTimestamp"},
  };
  for (const auto& [m, reason] : cases) {
    ASSERT_EQ(http_post(url(), "/v1/batch", json{{"batch", {m}}}.dump(), auth).response.status, 200) << reason;
    auto rejected = http_get(url(), "/admin/rejected").json()["rejected"];
    ASSERT_FALSE(rejected.empty()) << reason;
    EXPECT_EQ(rejected.back()["reason"], reason);
    EXPECT_EQ(rejected.back()["message"], m);
  }
  // A messageId of exactly 100 characters and an anonymousId alone are fine.
  EXPECT_EQ(http_post(url(), "/v1/batch",
                      json{{"batch", {json{{"type", "page"}, {"anonymousId", "a"}, {"messageId", std::string(100, 'm')}}}}}
                          .dump(),
                      auth)
                .response.status,
            200);
  auto stats = http_get(url(), "/admin/stats").json();
  EXPECT_EQ(stats["events_rejected"], std::size(cases));
  EXPECT_EQ(stats["events_accepted"], 1);
  EXPECT_EQ(events(url()).size(), 1u);
}

TEST_F(MockIngest, SingleEndpointRejectsItsOwnProblems) {
  EXPECT_EQ(http_post(url(), "/v1/track", json{{"userId", "u"}}.dump(), auth).response.status, 200);
  EXPECT_EQ(http_post(url(), "/v1/identify", "[1,2]", auth).response.status, 400);  // not an object
  auto rejected = http_get(url(), "/admin/rejected").json()["rejected"];
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0]["reason"], "track without event");
  EXPECT_TRUE(events(url()).empty());
}

}  // namespace
}  // namespace flowtrack::test
