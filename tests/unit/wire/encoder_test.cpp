#include "wire/encoder.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "flowtrack/error.hpp"
#include "wire/iso8601.hpp"

namespace flowtrack::detail {
namespace {

const auto fixed_time = *parse_iso8601("2026-11-25T04:42:29.123Z");

encode_options opts() { return {.now = fixed_time}; }

template <class M>
std::string encoded(const M& m, encode_options o = opts()) {
  encoded_message out;
  auto ec = encode(m, o, out);
  EXPECT_FALSE(ec) << ec.message();
  return out.json;
}

template <class M>
std::error_code error_of(const M& m, encode_options o = opts()) {
  encoded_message out;
  return encode(m, o, out);
}

TEST(Encoder, TrackFixture) {
  EXPECT_EQ(encoded(track_message{.user_id = "u1", .event = "Signed Up", .properties = {{"plan", "pro"}}, .message_id = "m-1"}),
            R"({"messageId":"m-1","type":"track","userId":"u1","event":"Signed Up","properties":{"plan":"pro"},"timestamp":"2026-11-25T04:42:29.123Z"})");
}

TEST(Encoder, PageAndScreenCategoryFollowTheNameAndAreLeftOutWhenEmpty) {
  EXPECT_EQ(encoded(page_message{.user_id = "u", .name = "Install", .category = "Docs", .message_id = "m"}),
            R"({"messageId":"m","type":"page","userId":"u","name":"Install","category":"Docs","properties":{},"timestamp":"2026-11-25T04:42:29.123Z"})");
  EXPECT_EQ(encoded(screen_message{.user_id = "u", .category = "Setup", .message_id = "m"}),
            R"({"messageId":"m","type":"screen","userId":"u","category":"Setup","properties":{},"timestamp":"2026-11-25T04:42:29.123Z"})");
  EXPECT_EQ(encoded(page_message{.user_id = "u", .name = "Home", .category = "", .message_id = "m"}),
            encoded(page_message{.user_id = "u", .name = "Home", .message_id = "m"}));
  // Repaired like every other string field (invalid UTF-8 becomes U+FFFD).
  EXPECT_EQ(encoded(page_message{.user_id = "u", .category = "a\xff", .message_id = "m"}),
            R"({"messageId":"m","type":"page","userId":"u","category":"a)" "\xEF\xBF\xBD" R"(","properties":{},"timestamp":"2026-11-25T04:42:29.123Z"})");
}

TEST(Encoder, EveryTypeFixture) {
  EXPECT_EQ(encoded(identify_message{.anonymous_id = "a1", .traits = {{"n", 1}}, .message_id = "m"}),
            R"({"messageId":"m","type":"identify","anonymousId":"a1","traits":{"n":1},"timestamp":"2026-11-25T04:42:29.123Z"})");
  EXPECT_EQ(encoded(page_message{.user_id = "u", .name = "Home", .message_id = "m"}),
            R"({"messageId":"m","type":"page","userId":"u","name":"Home","properties":{},"timestamp":"2026-11-25T04:42:29.123Z"})");
  EXPECT_EQ(encoded(screen_message{.user_id = "u", .message_id = "m"}),
            R"({"messageId":"m","type":"screen","userId":"u","properties":{},"timestamp":"2026-11-25T04:42:29.123Z"})");
  EXPECT_EQ(encoded(group_message{.user_id = "u", .group_id = "g", .message_id = "m"}),
            R"({"messageId":"m","type":"group","userId":"u","groupId":"g","traits":{},"timestamp":"2026-11-25T04:42:29.123Z"})");
  EXPECT_EQ(encoded(alias_message{.user_id = "u", .previous_id = "p", .message_id = "m"}),
            R"({"messageId":"m","type":"alias","userId":"u","previousId":"p","timestamp":"2026-11-25T04:42:29.123Z"})");
}

TEST(Encoder, ContextIntegrationsAndExplicitTime) {
  EXPECT_EQ(encoded(track_message{.user_id = "u", .anonymous_id = "a", .event = "E", .context = {{"ip", "0.0.0.0"}},
                                  .integrations = {{"All", false}},
                                  .time = *parse_iso8601("2000-02-29T23:59:59.999Z"), .message_id = "m"}),
            R"({"messageId":"m","type":"track","userId":"u","anonymousId":"a","event":"E","properties":{},"context":{"ip":"0.0.0.0"},"integrations":{"All":false},"timestamp":"2000-02-29T23:59:59.999Z"})");
}

TEST(Encoder, GeneratesAMessageIdAndReportsWhereItIs) {
  encoded_message out;
  ASSERT_FALSE(encode(track_message{.user_id = "u", .event = "E"}, opts(), out));
  EXPECT_EQ(out.message_id().size(), 36u);
  EXPECT_EQ(out.json.substr(0, 14), R"({"messageId":")");
  EXPECT_EQ(out.json.substr(out.id_offset, 36), out.message_id());
  EXPECT_EQ(nlohmann::json::parse(out.json)["messageId"], std::string(out.message_id()));
}

TEST(Encoder, ValidationTable) {
  struct row {
    const char* name;
    std::error_code expected;
    std::error_code actual;
  };
  const double nan = std::nan(""), inf = std::numeric_limits<double>::infinity();
  const row rows[] = {
      {"empty event", errc::invalid_message, error_of(track_message{.user_id = "u"})},
      {"no identity", errc::invalid_message, error_of(track_message{.event = "E"})},
      {"group without id", errc::invalid_message, error_of(group_message{.user_id = "u"})},
      {"alias without previous", errc::invalid_message, error_of(alias_message{.user_id = "u"})},
      {"alias without user", errc::invalid_message, error_of(alias_message{.anonymous_id = "a", .previous_id = "p"})},
      {"id too long", errc::invalid_message, error_of(track_message{.user_id = "u", .event = "E", .message_id = std::string(101, 'x')})},
      {"id with quote", errc::invalid_message, error_of(track_message{.user_id = "u", .event = "E", .message_id = "a\"b"})},
      {"properties not object", errc::invalid_message, error_of(track_message{.user_id = "u", .event = "E", .properties = {1, 2}})},
      {"context not object", errc::invalid_message, error_of(track_message{.user_id = "u", .event = "E", .context = "x"})},
      {"NaN", errc::invalid_number, error_of(track_message{.user_id = "u", .event = "E", .properties = {{"x", nan}}})},
      {"Inf in nested array", errc::invalid_number, error_of(track_message{.user_id = "u", .event = "E", .properties = {{"x", {1, inf}}}})},
      {"too large", errc::message_too_large, error_of(track_message{.user_id = "u", .event = "E", .properties = {{"x", std::string(33000, 'a')}}})},
      {"binary value", errc::invalid_message, error_of(track_message{.user_id = "u", .event = "E", .properties = {{"b", nlohmann::json::binary({1, 2})}}})},
  };
  for (const auto& r : rows) EXPECT_EQ(r.actual, r.expected) << r.name;
  EXPECT_FALSE(error_of(track_message{.user_id = "u", .event = "E", .message_id = std::string(100, 'x')}));
}

TEST(Encoder, SizeLimitIsExact) {
  encoded_message probe;
  ASSERT_FALSE(encode(track_message{.user_id = "u", .event = "E", .properties = {{"x", ""}}, .message_id = "m"}, opts(), probe));
  const std::size_t overhead = probe.json.size();
  const std::size_t limit = std::size_t{32} * 1024;
  EXPECT_FALSE(error_of(track_message{.user_id = "u", .event = "E", .properties = {{"x", std::string(limit - overhead, 'a')}}, .message_id = "m"}));
  EXPECT_EQ(error_of(track_message{.user_id = "u", .event = "E", .properties = {{"x", std::string(limit - overhead + 1, 'a')}}, .message_id = "m"}),
            errc::message_too_large);
}

TEST(Encoder, DeepNestingIsRefusedWithoutRecursingIntoIt) {
  nlohmann::json deep = nlohmann::json::array();
  for (int i = 0; i < 10000; ++i) deep = nlohmann::json::array({std::move(deep)});
  track_message m{.user_id = "u", .event = "E"};
  m.properties["deep"] = std::move(deep);  // moved: nlohmann's own copy would recurse 10000 deep
  EXPECT_EQ(error_of(m), errc::nesting_too_deep);
  nlohmann::json ok = 1;
  for (int i = 0; i < 60; ++i) ok = nlohmann::json::array({std::move(ok)});
  EXPECT_FALSE(error_of(track_message{.user_id = "u", .event = "E", .properties = {{"ok", ok}}}));
}

TEST(Encoder, NumbersRoundTrip) {
  const nlohmann::json props = {{"i", -42}, {"u", std::numeric_limits<std::uint64_t>::max()},
                                {"min", std::numeric_limits<std::int64_t>::min()}, {"d", 0.1}, {"e", 1e300}, {"t", true}, {"n", nullptr}};
  auto parsed = nlohmann::json::parse(encoded(track_message{.user_id = "u", .event = "E", .properties = props}));
  EXPECT_EQ(parsed["properties"], props);
}

TEST(Encoder, EscapesControlCharactersQuotesAndNul) {
  const std::string tricky = std::string("q\"b\\n\n\t\x01", 8) + std::string(1, '\0') + "end";
  auto json = encoded(track_message{.user_id = "u", .event = "E", .properties = {{"k", tricky}}, .message_id = "m"});
  EXPECT_NE(json.find(R"("k":"q\"b\\n\n\t\u0001\u0000end")"), std::string::npos) << json;
  EXPECT_EQ(nlohmann::json::parse(json)["properties"]["k"], tricky);
}

TEST(Encoder, Utf8RepairAndReject) {
  struct row {
    const char* name;
    std::string input;
    bool valid;
  };
  const row rows[] = {
      {"ascii", "plain", true},
      {"2-byte", "caf\xC3\xA9", true},
      {"3-byte", "\xE2\x82\xAC", true},
      {"4-byte", "\xF0\x9F\x98\x80", true},
      {"lone continuation", "a\x80z", false},
      {"overlong slash", "\xC0\xAF", false},
      {"overlong 3-byte", "\xE0\x80\xAF", false},
      {"surrogate", "\xED\xA0\x80", false},
      {"beyond U+10FFFF", "\xF4\x90\x80\x80", false},
      {"truncated", "ab\xE2\x82", false},
  };
  for (const auto& r : rows) {
    const track_message m{.user_id = "u", .event = r.input};
    EXPECT_EQ(error_of(m, {.now = fixed_time, .utf8 = utf8_policy::reject}),
              r.valid ? std::error_code{} : std::error_code(errc::invalid_utf8))
        << r.name;
    auto repaired = nlohmann::json::parse(encoded(m));  // repair (the default) always gives valid JSON
    if (r.valid) EXPECT_EQ(repaired["event"], r.input) << r.name;
    else EXPECT_NE(repaired["event"].get<std::string>().find("\xEF\xBF\xBD"), std::string::npos) << r.name;
  }
  EXPECT_EQ(error_of(track_message{.user_id = "u", .event = "E", .properties = {{"bad\xff key", 1}}},
                     {.now = fixed_time, .utf8 = utf8_policy::reject}),
            errc::invalid_utf8);
}

TEST(Encoder, MoreFixtures) {
  // Both ids, properties with several types, page with anonymous id only, null properties.
  EXPECT_EQ(encoded(track_message{.user_id = "u", .anonymous_id = "a", .event = "Ran \"it\"",
                                  .properties = {{"n", 3}, {"list", {1, "two"}}, {"ok", true}}, .message_id = "id 1"}),
            R"({"messageId":"id 1","type":"track","userId":"u","anonymousId":"a","event":"Ran \"it\"","properties":{"list":[1,"two"],"n":3,"ok":true},"timestamp":"2026-11-25T04:42:29.123Z"})");
  EXPECT_EQ(encoded(page_message{.anonymous_id = "a", .properties = {{"path", "/x"}}, .message_id = "m"}),
            R"({"messageId":"m","type":"page","anonymousId":"a","properties":{"path":"/x"},"timestamp":"2026-11-25T04:42:29.123Z"})");
  EXPECT_EQ(encoded(track_message{.user_id = "u", .event = "E", .properties = nullptr, .context = nullptr, .message_id = "m"}),
            R"({"messageId":"m","type":"track","userId":"u","event":"E","properties":{},"timestamp":"2026-11-25T04:42:29.123Z"})");
  EXPECT_EQ(encoded(group_message{.anonymous_id = "a", .group_id = "g", .traits = {{"name", "Acme"}}, .context = {{"app", {{"v", 1}}}},
                                  .message_id = "m"}),
            R"({"messageId":"m","type":"group","anonymousId":"a","groupId":"g","traits":{"name":"Acme"},"context":{"app":{"v":1}},"timestamp":"2026-11-25T04:42:29.123Z"})");
  EXPECT_EQ(encoded(alias_message{.user_id = "u", .anonymous_id = "a", .previous_id = "p", .integrations = {{"All", true}},
                                  .message_id = "m"}),
            R"({"messageId":"m","type":"alias","userId":"u","anonymousId":"a","previousId":"p","integrations":{"All":true},"timestamp":"2026-11-25T04:42:29.123Z"})");
}

TEST(Encoder, EveryFixtureParsesAndAGivenIdIsReportedWhereItIs) {
  encoded_message out;
  ASSERT_FALSE(encode(identify_message{.user_id = "u", .message_id = "given-id"}, opts(), out));
  EXPECT_EQ(out.message_id(), "given-id");
  EXPECT_EQ(out.id_offset, 14u);
  EXPECT_EQ(nlohmann::json::parse(out.json)["messageId"], "given-id");
}

TEST(Encoder, GeneratedIdsDiffer) {
  encoded_message a, b;
  ASSERT_FALSE(encode(track_message{.user_id = "u", .event = "E"}, opts(), a));
  ASSERT_FALSE(encode(track_message{.user_id = "u", .event = "E"}, opts(), b));
  EXPECT_NE(a.message_id(), b.message_id());
}

TEST(Encoder, MessageIdTable) {
  struct row {
    std::string id;
    bool ok;
  };
  const row rows[] = {
      {std::string(100, 'x'), true}, {std::string(101, 'x'), false}, {"with space", true}, {"a\"b", false},
      {"a\\b", false},               {"tab\there", false},             {std::string("nul\0x", 5), false},   {"caf\xC3\xA9", false},
      {"~!@#$%^&*()_+{}|:<>?", true},
  };
  for (const auto& r : rows)
    EXPECT_EQ(error_of(track_message{.user_id = "u", .event = "E", .message_id = r.id}),
              r.ok ? std::error_code{} : std::error_code(errc::invalid_message))
        << r.id;
}

TEST(Encoder, FieldsMustBeObjectsForEveryType) {
  const nlohmann::json bad = nlohmann::json::array({1});
  const std::error_code invalid = errc::invalid_message;
  EXPECT_EQ(error_of(track_message{.user_id = "u", .event = "E", .integrations = 3}), invalid);
  EXPECT_EQ(error_of(identify_message{.user_id = "u", .traits = bad}), invalid);
  EXPECT_EQ(error_of(identify_message{.user_id = "u", .context = "s"}), invalid);
  EXPECT_EQ(error_of(page_message{.user_id = "u", .properties = true}), invalid);
  EXPECT_EQ(error_of(screen_message{.user_id = "u", .properties = 1.5}), invalid);
  EXPECT_EQ(error_of(group_message{.user_id = "u", .group_id = "g", .traits = bad}), invalid);
  EXPECT_EQ(error_of(alias_message{.user_id = "u", .previous_id = "p", .context = bad}), invalid);
  EXPECT_EQ(error_of(identify_message{}), invalid);
  EXPECT_EQ(error_of(page_message{}), invalid);
  EXPECT_EQ(error_of(screen_message{.name = "s"}), invalid);
  EXPECT_EQ(error_of(group_message{.group_id = "g"}), invalid);
}

TEST(Encoder, TopLevelStringFieldsAreValidatedAndEscaped) {
  const encode_options reject{.now = fixed_time, .utf8 = utf8_policy::reject};
  const std::string bad = "x\xFF";
  const std::error_code invalid_utf8 = errc::invalid_utf8;
  EXPECT_EQ(error_of(track_message{.user_id = bad, .event = "E"}, reject), invalid_utf8);
  EXPECT_EQ(error_of(track_message{.anonymous_id = bad, .event = "E"}, reject), invalid_utf8);
  EXPECT_EQ(error_of(page_message{.user_id = "u", .name = bad}, reject), invalid_utf8);
  EXPECT_EQ(error_of(group_message{.user_id = "u", .group_id = bad}, reject), invalid_utf8);
  EXPECT_EQ(error_of(alias_message{.user_id = "u", .previous_id = bad}, reject), invalid_utf8);
  EXPECT_EQ(error_of(identify_message{.user_id = "u", .context = {{"k", {{"deep", bad}}}}}, reject), invalid_utf8);
  EXPECT_EQ(error_of(track_message{.user_id = "u", .event = "E", .integrations = {{bad, true}}}, reject), invalid_utf8);
  EXPECT_EQ(encoded(track_message{.user_id = "line\nbreak", .event = bad, .message_id = "m"}),
            "{\"messageId\":\"m\",\"type\":\"track\",\"userId\":\"line\\nbreak\",\"event\":\"x\xEF\xBF\xBD\","
            "\"properties\":{},\"timestamp\":\"2026-11-25T04:42:29.123Z\"}");
}

TEST(Encoder, DepthIsCountedFromTheFieldAndAppliesToContextToo) {
  // properties itself is level 1: with max_depth 3, {"a":[[1]]} (3 levels) passes, one more fails.
  const encode_options o{.now = fixed_time, .max_depth = 3};
  EXPECT_FALSE(error_of(track_message{.user_id = "u", .event = "E", .properties = {{"a", {{1}}}}}, o));
  EXPECT_EQ(error_of(track_message{.user_id = "u", .event = "E", .properties = {{"a", {{{1}}}}}}, o),
            errc::nesting_too_deep);
  nlohmann::json deep = nlohmann::json::object();
  for (int i = 0; i < 10000; ++i) deep = nlohmann::json{{"k", std::move(deep)}};
  identify_message in_context{.user_id = "u"};
  in_context.context = std::move(deep);  // moved, not copied (a copy would recurse 10000 deep)
  EXPECT_EQ(error_of(in_context), errc::nesting_too_deep);
  identify_message in_traits{.user_id = "u"};
  in_traits.traits = std::move(in_context.context);
  EXPECT_EQ(error_of(in_traits), errc::nesting_too_deep);
}

TEST(Encoder, SizeLimitFollowsTheOptionAndStopsEarly) {
  EXPECT_EQ(error_of(track_message{.user_id = "u", .event = "E", .message_id = "m"}, {.now = fixed_time, .max_message_bytes = 50}),
            errc::message_too_large);
  const std::string ten_mb(10 << 20, 'a');
  EXPECT_EQ(error_of(track_message{.user_id = "u", .event = "E", .properties = {{"x", ten_mb}}}), errc::message_too_large);
  EXPECT_EQ(error_of(track_message{.user_id = "u", .event = ten_mb}), errc::message_too_large);
}

}  // namespace
}  // namespace flowtrack::detail
