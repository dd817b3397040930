#include "validation.hpp"

#include <gtest/gtest.h>

namespace mock_segment {
namespace {

using json = nlohmann::json;

json track() { return {{"type", "track"}, {"userId", "u"}, {"event", "E"}, {"messageId", "m"}}; }

json with_property(std::string value) {
  json m = track();
  m["properties"] = {{"big", std::move(value)}};
  return m;
}

TEST(MockValidation, PathsMapToTypes) {
  EXPECT_EQ(ingest_type_for_path("/v1/batch"), "");
  EXPECT_EQ(ingest_type_for_path("/v1/import"), "");
  EXPECT_EQ(ingest_type_for_path("/v1/track"), "track");
  EXPECT_EQ(ingest_type_for_path("/v1/alias"), "alias");
  EXPECT_FALSE(ingest_type_for_path("/v1/other"));
  EXPECT_FALSE(ingest_type_for_path("/admin/events"));
}

TEST(MockValidation, MessageProblemsTable) {
  struct row {
    const char* name;
    json message;
    std::optional<std::string> problem;
  };
  auto with = [](json base, const char* key, json value) {
    base[key] = std::move(value);
    return base;
  };
  auto without = [](json base, const char* key) {
    base.erase(key);
    return base;
  };
  const row rows[] = {
      {"valid track", track(), std::nullopt},
      {"anonymous only", with(without(track(), "userId"), "anonymousId", "a"), std::nullopt},
      {"no type", without(track(), "type"), "missing type"},
      {"unknown type", with(track(), "type", "click"), "unknown type: click"},
      {"no identity", without(track(), "userId"), "missing userId and anonymousId"},
      {"empty user id", with(track(), "userId", ""), "missing userId and anonymousId"},
      {"track without event", without(track(), "event"), "track without event"},
      {"group without groupId", json{{"type", "group"}, {"userId", "u"}}, "group without groupId"},
      {"alias without previousId", json{{"type", "alias"}, {"userId", "u"}}, "alias without previousId"},
      {"long messageId", with(track(), "messageId", std::string(101, 'x')), "messageId longer than 100 characters"},
      {"bad timestamp", with(track(), "timestamp", "yesterday"), "bad timestamp"},
      {"bad originalTimestamp", with(track(), "originalTimestamp", "2020-02-30T00:00:00Z"), "bad originalTimestamp"},
      {"good timestamp", with(track(), "timestamp", "2020-02-29T00:00:00.123+01:00"), std::nullopt},
      {"properties array", with(track(), "properties", json::array()), "properties is not an object"},
      {"not an object", json::array(), "message is not an object"},
      {"bad sentAt", with(track(), "sentAt", "2020-01-01 noon"), "bad sentAt"},
      {"numeric timestamp", with(track(), "timestamp", 1700000000), "bad timestamp"},
      {"good sentAt", with(track(), "sentAt", "2026-11-25T06:00:00.000Z"), std::nullopt},
      {"messageId of 100", with(track(), "messageId", std::string(100, 'x')), std::nullopt},
      {"numeric messageId", with(track(), "messageId", 7), "messageId is not a string"},
      {"identify", json{{"type", "identify"}, {"userId", "u"}}, std::nullopt},
      {"page", json{{"type", "page"}, {"anonymousId", "a"}}, std::nullopt},
      {"screen", json{{"type", "screen"}, {"userId", "u"}}, std::nullopt},
      {"group", json{{"type", "group"}, {"userId", "u"}, {"groupId", "g"}}, std::nullopt},
      {"alias", json{{"type", "alias"}, {"userId", "u"}, {"previousId", "p"}}, std::nullopt},
      {"null properties", with(track(), "properties", nullptr), std::nullopt},
      {"type not a string", with(track(), "type", 3), "missing type"},
  };
  for (const auto& r : rows) EXPECT_EQ(message_problem(r.message), r.problem) << r.name;
}

TEST(MockValidation, RequestLevelLimits) {
  EXPECT_EQ(parse_ingest_body("{not json", "").error, "invalid JSON");
  EXPECT_EQ(parse_ingest_body(R"({"batch":{}})", "").error, "missing batch array");
  json many = {{"batch", json::array()}};
  for (int i = 0; i < 2501; ++i) many["batch"].push_back(track());
  EXPECT_EQ(parse_ingest_body(many.dump(), "").error, "too many events in batch (limit 2500)");
  json big = {{"batch", json::array({with_property(std::string(std::size_t{33} * 1024, 'x'))})}};
  EXPECT_EQ(parse_ingest_body(big.dump(), "").error, "message too large (limit 32 KB)");
  EXPECT_EQ(parse_ingest_body(std::string(500 * 1024 + 1, ' '), "").error, "request body too large (limit 500 KB)");
  auto single = parse_ingest_body(R"({"userId":"u","event":"E","writeKey":"k"})", "track");
  EXPECT_TRUE(single.error.empty());
  EXPECT_EQ(single.write_key, "k");
  ASSERT_EQ(single.messages.size(), 1u);
  EXPECT_EQ(single.messages[0]["type"], "track");
  EXPECT_FALSE(single.messages[0].contains("writeKey"));
}

TEST(MockValidation, BatchLimitsAreExact) {
  // 2500 messages: fine; 2501: refused.
  json full = {{"batch", json::array()}};
  for (int i = 0; i < 2500; ++i) full["batch"].push_back(track());
  EXPECT_EQ(parse_ingest_body(full.dump(), "").error, "");
  EXPECT_EQ(parse_ingest_body(full.dump(), "").messages.size(), 2500u);
  // A message of exactly 32768 bytes of JSON: fine; one more byte: refused.
  json m = with_property("");
  m["properties"]["big"] = std::string(max_message_bytes - m.dump().size(), 'x');
  ASSERT_EQ(m.dump().size(), 32768u);
  EXPECT_EQ(parse_ingest_body(json{{"batch", {m}}}.dump(), "").error, "");
  EXPECT_EQ(parse_ingest_body(m.dump(), "track").error, "");
  m["properties"]["big"].get_ref<std::string&>().push_back('x');
  EXPECT_EQ(parse_ingest_body(json{{"batch", {m}}}.dump(), "").error, "message too large (limit 32 KB)");
  // A body of exactly 500 KiB: fine; one more byte: refused.
  std::string body = R"({"batch":[]})";
  body.resize(std::size_t{500} * 1024, ' ');
  EXPECT_EQ(parse_ingest_body(body, "").error, "");
  body.push_back(' ');
  EXPECT_EQ(parse_ingest_body(body, "").error, "request body too large (limit 500 KB)");
}

TEST(MockValidation, BatchEnvelopeFields) {
  auto parsed = parse_ingest_body(
      R"({"batch":[{"type":"track"}],"sentAt":"2026-01-01T00:00:00.000Z","context":{"library":{"name":"x"}},"writeKey":"wk"})",
      "");
  EXPECT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.sent_at, "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(parsed.write_key, "wk");
  EXPECT_EQ(parsed.batch_context, json({{"library", {{"name", "x"}}}}));
  EXPECT_EQ(parse_ingest_body("[]", "").error, "invalid JSON");
  EXPECT_EQ(parse_ingest_body("", "").error, "invalid JSON");
  EXPECT_EQ(parse_ingest_body("{}", "").error, "missing batch array");
  // A single-message endpoint's type wins over the body's.
  auto single = parse_ingest_body(R"({"type":"alias","userId":"u","sentAt":"2026-01-01T00:00:00Z"})", "identify");
  ASSERT_EQ(single.messages.size(), 1u);
  EXPECT_EQ(single.messages[0]["type"], "identify");
  EXPECT_EQ(single.sent_at, "2026-01-01T00:00:00Z");
}

TEST(MockValidation, BatchContextMergesUnderTheMessagesOwnKeys) {
  json m = {{"type", "track"}, {"context", {{"app", "mine"}, {"ip", "1.2.3.4"}}}};
  merge_batch_context(m, {{"app", "batch"}, {"library", {{"name", "flowtrack"}, {"version", "0.1.0"}}}});
  EXPECT_EQ(m["context"], json({{"app", "mine"}, {"ip", "1.2.3.4"}, {"library", {{"name", "flowtrack"}, {"version", "0.1.0"}}}}));
  json bare = {{"type", "track"}};
  merge_batch_context(bare, {{"library", {{"name", "x"}}}});
  EXPECT_EQ(bare["context"], json({{"library", {{"name", "x"}}}}));
  json untouched = {{"type", "track"}};
  merge_batch_context(untouched, json::object());
  EXPECT_FALSE(untouched.contains("context"));
}

TEST(MockValidation, Timestamps) {
  EXPECT_TRUE(valid_timestamp("2026-11-25T06:08:51.123Z"));
  EXPECT_TRUE(valid_timestamp("2026-11-25T06:08:51Z"));
  EXPECT_TRUE(valid_timestamp("2024-02-29T23:59:59.999-05:30"));
  EXPECT_FALSE(valid_timestamp("2023-02-29T00:00:00Z"));
  EXPECT_FALSE(valid_timestamp("2026-11-25"));
  EXPECT_FALSE(valid_timestamp("2026-11-25T25:00:00Z"));
  EXPECT_FALSE(valid_timestamp(""));
}

}  // namespace
}  // namespace mock_segment
