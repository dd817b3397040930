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
  };
  for (const auto& r : rows) EXPECT_EQ(message_problem(r.message), r.problem) << r.name;
}

TEST(MockValidation, RequestLevelLimits) {
  EXPECT_EQ(parse_ingest_body("{not json", "").error, "invalid JSON");
  EXPECT_EQ(parse_ingest_body(R"({"batch":{}})", "").error, "missing batch array");
  json many = {{"batch", json::array()}};
  for (int i = 0; i < 2501; ++i) many["batch"].push_back(track());
  EXPECT_EQ(parse_ingest_body(many.dump(), "").error, "too many events in batch (limit 2500)");
  json big = {{"batch", json::array({with_property(std::string(33 * 1024, 'x'))})}};
  EXPECT_EQ(parse_ingest_body(big.dump(), "").error, "message too large (limit 32 KB)");
  EXPECT_EQ(parse_ingest_body(std::string(500 * 1024 + 1, ' '), "").error, "request body too large (limit 500 KB)");
  auto single = parse_ingest_body(R"({"userId":"u","event":"E","writeKey":"k"})", "track");
  EXPECT_TRUE(single.error.empty());
  EXPECT_EQ(single.write_key, "k");
  ASSERT_EQ(single.messages.size(), 1u);
  EXPECT_EQ(single.messages[0]["type"], "track");
  EXPECT_FALSE(single.messages[0].contains("writeKey"));
}

}  // namespace
}  // namespace mock_segment
