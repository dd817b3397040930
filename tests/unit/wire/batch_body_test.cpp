// The batch envelope and its limiter: the body's size is bytes() exactly, at both limits.
#include "wire/batch_body.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "wire/encoder.hpp"

namespace flowtrack::detail {
namespace {

using namespace std::chrono;

const auto t0 = system_clock::time_point(milliseconds(1764045749123));

// Builds a body from `messages` as the client does: add while the limiter accepts.
std::string build(batch_limiter& limiter, const std::string& context, const std::vector<encoded_message>& messages) {
  std::string body;
  begin_batch_body(body, context, limiter.bytes());
  for (const auto& m : messages) {
    if (!limiter.try_add(m.json.size())) break;
    append_to_batch_body(body, m.json, limiter.count() == 1);
  }
  finish_batch_body(body);
  stamp_sent_at(body, t0);
  return body;
}

std::vector<encoded_message> make_messages(std::size_t n, std::size_t padding) {
  std::vector<encoded_message> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto ec = encode(track_message{.user_id = "user-" + std::to_string(i), .event = "Ev",
                                         .properties = {{"pad", std::string(padding + i % 7, 'p')}}},
                           {.now = t0}, out[i]);
    EXPECT_FALSE(ec);
  }
  return out;
}

TEST(BatchBody, ContextCarriesTheLibraryWhichWins) {
  const auto ctx = nlohmann::json::parse(make_batch_context(
      {{"app", {{"name", "demo"}}}, {"library", {{"name", "impostor"}, {"version", "0"}}}}, "0.1.0"));
  EXPECT_EQ(ctx["library"], (nlohmann::json{{"name", "flowtrack"}, {"version", "0.1.0"}}));
  EXPECT_EQ(ctx["app"]["name"], "demo");
  EXPECT_EQ(make_batch_context(nlohmann::json::object(), "1.2.3"), R"({"library":{"name":"flowtrack","version":"1.2.3"}})");
  EXPECT_EQ(make_batch_context(nullptr, "1"), R"({"library":{"name":"flowtrack","version":"1"}})");
  // A default context that cannot be encoded is dropped, never the library.
  EXPECT_EQ(make_batch_context({{"x", std::nan("")}}, "1"), R"({"library":{"name":"flowtrack","version":"1"}})");
}

TEST(BatchBody, ExactLayoutAndInPlaceRestamp) {
  const std::string ctx = R"({"library":{"name":"flowtrack","version":"1"}})";
  std::string body;
  begin_batch_body(body, ctx, 0);
  append_to_batch_body(body, R"({"a":1})", true);
  append_to_batch_body(body, R"({"b":2})", false);
  finish_batch_body(body);
  stamp_sent_at(body, system_clock::time_point{});
  EXPECT_EQ(body, R"({"sentAt":"1970-01-01T00:00:00.000Z","context":{"library":{"name":"flowtrack","version":"1"}},"batch":[{"a":1},{"b":2}]})");
  EXPECT_EQ(body.substr(sent_at_offset, 4), "1970");
  stamp_sent_at(body, t0);
  EXPECT_EQ(nlohmann::json::parse(body)["sentAt"], "2025-11-25T04:42:29.123Z");
  std::string empty;
  begin_batch_body(empty, ctx, 0);
  finish_batch_body(empty);
  EXPECT_EQ(empty.size(), batch_envelope_bytes(ctx));
  EXPECT_EQ(nlohmann::json::parse(empty)["batch"], nlohmann::json::array());
}

TEST(BatchBody, CountLimit2500IsExact) {
  const std::string ctx = make_batch_context({{"app", "demo"}}, "0.1.0");
  const auto messages = make_messages(2600, 20);
  batch_limiter limiter(2500, 500000, batch_envelope_bytes(ctx));
  const auto body = build(limiter, ctx, messages);
  EXPECT_EQ(limiter.count(), 2500u);
  EXPECT_EQ(body.size(), limiter.bytes());
  EXPECT_LE(body.size(), 500000u);
  const auto parsed = nlohmann::json::parse(body);
  ASSERT_EQ(parsed["batch"].size(), 2500u);
  EXPECT_EQ(parsed["batch"][2499]["userId"], "user-2499");
}

TEST(BatchBody, ByteLimit500000IsExactAndReachable) {
  const std::string ctx = make_batch_context({}, "0.1.0");
  auto messages = make_messages(400, 1500);
  // Find how many fit, then size one last message so the body lands on exactly 500000 bytes.
  batch_limiter probe(2500, 500000, batch_envelope_bytes(ctx));
  std::size_t fits = 0;
  while (fits < messages.size() && probe.try_add(messages[fits].json.size())) ++fits;
  ASSERT_LT(fits, messages.size());
  const std::size_t room = 500000 - probe.bytes() - 1;  // minus the comma
  encoded_message filler;
  encoded_message shape;
  ASSERT_FALSE(encode(track_message{.user_id = "f", .event = "Ev", .properties = {{"pad", ""}}}, {.now = t0}, shape));
  ASSERT_GT(room, shape.json.size());
  ASSERT_FALSE(encode(track_message{.user_id = "f", .event = "Ev", .properties = {{"pad", std::string(room - shape.json.size(), 'q')}}},
                      {.now = t0}, filler));
  ASSERT_EQ(filler.json.size(), room);
  messages.resize(fits);
  messages.push_back(filler);
  messages.push_back(filler);  // one byte too many, whatever its size

  batch_limiter limiter(2500, 500000, batch_envelope_bytes(ctx));
  const auto body = build(limiter, ctx, messages);
  EXPECT_EQ(limiter.count(), fits + 1);
  EXPECT_EQ(limiter.bytes(), 500000u);
  EXPECT_EQ(body.size(), 500000u);
  EXPECT_FALSE(limiter.try_add(0));  // even an empty message's comma would pass the limit
  EXPECT_EQ(nlohmann::json::parse(body)["batch"].size(), fits + 1);
}

TEST(BatchBody, LimiterEdgesAndReset) {
  batch_limiter limiter(2, 100, 40);
  EXPECT_EQ(limiter.bytes(), 40u);
  EXPECT_TRUE(limiter.try_add(30));   // 70, no comma for the first
  EXPECT_FALSE(limiter.try_add(30));  // 70 + 1 + 30 = 101
  EXPECT_TRUE(limiter.try_add(29));   // 100 exactly
  EXPECT_FALSE(limiter.try_add(0));   // count limit (and bytes)
  EXPECT_EQ(limiter.count(), 2u);
  limiter.reset();
  EXPECT_EQ(limiter.count(), 0u);
  EXPECT_EQ(limiter.bytes(), 40u);
  EXPECT_FALSE(limiter.try_add(61));  // a single message over the limit is refused too
  EXPECT_TRUE(limiter.try_add(60));
  batch_limiter none(0, 1000, 10);
  EXPECT_FALSE(none.try_add(1));
}

}  // namespace
}  // namespace flowtrack::detail
