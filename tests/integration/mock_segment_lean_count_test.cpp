// Pure tests of the lean mode's one-pass scanner (lean_count): what it counts, what it refuses,
// the limits at their exact edges, and agreement with the full mode's parser on valid, truncated
// and corrupted bodies.
#include "lean_count.hpp"

#include <gtest/gtest.h>

#include "validation.hpp"

namespace mock_segment {
namespace {

using json = nlohmann::json;

struct row {
  const char* name;
  std::string body;
  std::size_t messages;
  std::size_t non_objects;
  std::string_view error;
};

void check(const row& r, bool batch) {
  const lean_result got = lean_count(r.body, batch);
  EXPECT_EQ(got.error, r.error) << r.name;
  if (r.error.empty()) {
    EXPECT_EQ(got.messages, r.messages) << r.name;
    EXPECT_EQ(got.non_objects, r.non_objects) << r.name;
  }
}

TEST(MockLeanCount, BatchTable) {
  const std::string_view invalid = "invalid JSON", missing = "missing batch array";
  const row rows[] = {
      {"three messages", R"({"batch":[{"a":1},{"b":2},{"c":3}]})", 3, 0, ""},
      {"empty batch", R"({"batch":[]})", 0, 0, ""},
      {"empty batch, whitespace", " \t\r\n{ \"batch\" : [ \n ] , \"sentAt\" : \"x\" }\n", 0, 0, ""},
      {"brackets and commas in strings", R"({"batch":[{"a":"x,]}[{"},{"b":"],[{}"}]})", 2, 0, ""},
      {"escaped quotes", R"({"batch":[{"a":"say \"hi\", }]"},{"b":"\"],[\""}]})", 2, 0, ""},
      {"escaped backslash ends a string", R"({"batch":[{"a":"dir\\"},{"b":"\\\\"}]})", 2, 0, ""},
      {"every escape", R"({"batch":[{"a":"\" \\ \/ \b \f \n \r \t \u00e9 \uD83D\uDE00"}]})", 1, 0, ""},
      {"nested objects and arrays", R"({"batch":[{"p":{"q":[1,2,{"r":[]}]}},{"x":[[],[[{}]]]},{}]})", 3, 0, ""},
      {"non-object elements", R"({"batch":[1,"s",null,true,false,[],{},-0.5e+3]})", 1, 7, ""},
      {"numbers", R"({"batch":[0,-0,12,1.5,1e5,1E-5,-12.25e+10]})", 0, 7, ""},
      {"other top-level keys", R"({"context":{"batch":[{}]},"batch":[{}],"sentAt":"t"})", 1, 0, ""},
      {"a duplicate batch key: the last counts", R"({"batch":[{},{}],"batch":[{}]})", 1, 0, ""},
      {"a later batch key that is not an array", R"({"batch":[{}],"batch":1})", 0, 0, missing},
      {"byte-order mark", "\xEF\xBB\xBF{\"batch\":[{}]}", 1, 0, ""},
      {"UTF-8 of every length", "{\"batch\":[{\"a\":\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF\"}]}", 1, 0, ""},
      {"batch not an array", R"({"batch":{}})", 0, 0, missing},
      {"batch a string with brackets", R"({"batch":"[{},{}]"})", 0, 0, missing},
      {"no batch key", R"({"sentAt":"x"})", 0, 0, missing},
      {"batch only inside a string", R"({"x":"\"batch\":[{}]"})", 0, 0, missing},
      {"batch only nested", R"({"context":{"batch":[{}]}})", 0, 0, missing},
      {"root is an array", R"([{"batch":[]}])", 0, 0, invalid},
      {"root is a string", R"("batch")", 0, 0, invalid},
      {"empty body", "", 0, 0, invalid},
      {"whitespace only", "  \n", 0, 0, invalid},
      {"truncated in an element", R"({"batch":[{"a":1},{"b":)", 0, 0, invalid},
      {"truncated in a string", R"({"batch":[{"a":"unterminated)", 0, 0, invalid},
      {"truncated after an escape", R"({"batch":[{"a":"x\)", 0, 0, invalid},
      {"truncated before the root closes", R"({"batch":[{}])", 0, 0, invalid},
      {"unbalanced close", R"({"batch":[{}]]})", 0, 0, invalid},
      {"mismatched close", R"({"batch":[{]}})", 0, 0, invalid},
      {"trailing garbage", R"({"batch":[]} x)", 0, 0, invalid},
      {"two roots", R"({"batch":[]}{})", 0, 0, invalid},
      {"trailing comma in array", R"({"batch":[{},]})", 0, 0, invalid},
      {"trailing comma in object", R"({"batch":[{"a":1,}]})", 0, 0, invalid},
      {"missing colon", R"({"batch" [{}]})", 0, 0, invalid},
      {"unquoted key", R"({batch:[{}]})", 0, 0, invalid},
      {"single quotes", R"({'batch':[]})", 0, 0, invalid},
      {"bad literal", R"({"batch":[tru]})", 0, 0, invalid},
      {"leading zero", R"({"batch":[01]})", 0, 0, invalid},
      {"bare minus", R"({"batch":[-]})", 0, 0, invalid},
      {"no fraction digits", R"({"batch":[1.]})", 0, 0, invalid},
      {"no exponent digits", R"({"batch":[1e+]})", 0, 0, invalid},
      {"plus sign", R"({"batch":[+1]})", 0, 0, invalid},
      {"raw newline in a string", "{\"batch\":[{\"a\":\"x\ny\"}]}", 0, 0, invalid},
      {"unknown escape", R"({"batch":[{"a":"\x"}]})", 0, 0, invalid},
      {"bad hex escape", R"({"batch":[{"a":"\u12G4"}]})", 0, 0, invalid},
      {"lone high surrogate", R"({"batch":[{"a":"\uD800"}]})", 0, 0, invalid},
      {"high surrogate then a letter", R"({"batch":[{"a":"\uD800\u0041"}]})", 0, 0, invalid},
      {"lone low surrogate", R"({"batch":[{"a":"\uDC00"}]})", 0, 0, invalid},
      {"overlong UTF-8", "{\"batch\":[{\"a\":\"\xC0\x80\"}]}", 0, 0, invalid},
      {"UTF-8 surrogate", "{\"batch\":[{\"a\":\"\xED\xA0\x80\"}]}", 0, 0, invalid},
      {"UTF-8 above U+10FFFF", "{\"batch\":[{\"a\":\"\xF4\x90\x80\x80\"}]}", 0, 0, invalid},
      {"stray continuation byte", "{\"batch\":[{\"a\":\"\x80\"}]}", 0, 0, invalid},
      {"UTF-8 cut by the quote", "{\"batch\":[{\"a\":\"\xE2\x82\"}]}", 0, 0, invalid},
      {"comment", "{\"batch\":[] /* c */}", 0, 0, invalid},
  };
  for (const auto& r : rows) check(r, true);
}

TEST(MockLeanCount, SingleMessageBodies) {
  check({"a message", R"({"userId":"u","event":"E","properties":{"batch":[1]}})", 1, 0, ""}, false);
  check({"an empty object", "{}", 1, 0, ""}, false);
  check({"an array", R"([{"userId":"u"}])", 0, 0, "invalid JSON"}, false);
  check({"truncated", R"({"userId":"u")", 0, 0, "invalid JSON"}, false);
  // A batch endpoint's rules do not apply: no batch key needed, none counted.
  check({"a batch body", R"({"batch":[{},{}]})", 1, 0, ""}, false);
}

TEST(MockLeanCount, WriteKeyAtTheTopLevelOnly) {
  EXPECT_EQ(lean_count(R"({"writeKey":"k1","batch":[]})", true).write_key, "k1");
  EXPECT_EQ(lean_count(R"({"batch":[{"writeKey":"inner"}],"context":{"writeKey":"c"}})", true).write_key, "");
  EXPECT_EQ(lean_count(R"({"writeKey":"first","writeKey":"last","batch":[]})", true).write_key, "last");
  EXPECT_EQ(lean_count(R"({"writeKey":"k","writeKey":7,"batch":[]})", true).write_key, "");
  EXPECT_EQ(lean_count(R"({"userId":"u","writeKey":"single"})", false).write_key, "single");
  const lean_result escaped = lean_count(R"({"writeKey":"k\"1","batch":[]})", true);
  EXPECT_EQ(escaped.write_key, R"(k\"1)");
  EXPECT_TRUE(escaped.write_key_escaped);
  EXPECT_FALSE(lean_count(R"({"writeKey":"k1","batch":[]})", true).write_key_escaped);
  // Not JSON: no key at all, even one read before the error.
  EXPECT_EQ(lean_count(R"({"writeKey":"k1","batch":[)", true).write_key, "");
  // A request-level limit after a valid parse keeps it, as the full mode does.
  EXPECT_EQ(lean_count(R"({"writeKey":"k1"})", true).write_key, "k1");
}

TEST(MockLeanCount, SpecialBytesAtEveryOffsetOfLongStrings) {
  // Strings longer than one 16-byte block, with the byte that ends the fast scan at each offset.
  for (std::size_t at = 0; at < 40; ++at) {
    for (const std::string special : {"\\\"", "\\\\", "\\u00e9", "\xC3\xA9", "]},{"}) {
      std::string text(40, 'x');
      text.insert(at, special);
      std::string body = R"({"batch":[{"a":")";
      body.append(text).append(R"("},{"b":")").append(text).append(R"("}]})");
      const lean_result got = lean_count(body, true);
      EXPECT_EQ(got.error, "") << at << ' ' << special;
      EXPECT_EQ(got.messages, 2u) << at << ' ' << special;
    }
    std::string text(40, 'x');
    text[at] = '\x01';
    EXPECT_EQ(lean_count(R"({"batch":[{"a":")" + text + R"("}]})", true).error, "invalid JSON") << at;
  }
}

TEST(MockLeanCount, LimitsAreExact) {
  const json message = {{"type", "track"}, {"userId", "u"}, {"event", "E"}};
  json full = {{"batch", json::array()}};
  for (std::size_t i = 0; i < max_batch_messages; ++i) full["batch"].push_back(message);
  EXPECT_EQ(lean_count(full.dump(), true).error, "");
  EXPECT_EQ(lean_count(full.dump(), true).messages, 2500u);
  full["batch"].push_back(1);
  EXPECT_EQ(lean_count(full.dump(), true).error, "too many events in batch (limit 2500)");
  // Not JSON wins over every other limit, as in the full mode.
  std::string cut = full.dump();
  cut.pop_back();
  EXPECT_EQ(lean_count(cut, true).error, "invalid JSON");

  json big = {{"type", "track"}, {"properties", {{"big", ""}}}};
  big["properties"]["big"] = std::string(max_message_bytes - big.dump().size(), 'x');
  ASSERT_EQ(big.dump().size(), max_message_bytes);
  EXPECT_EQ(lean_count(json{{"batch", {message, big}}}.dump(), true).error, "");
  EXPECT_EQ(lean_count(big.dump(), false).error, "");
  big["properties"]["big"].get_ref<std::string&>().push_back('x');
  EXPECT_EQ(lean_count(json{{"batch", {message, big}}}.dump(), true).error, "message too large (limit 32 KB)");
  EXPECT_EQ(lean_count(big.dump(), false).error, "message too large (limit 32 KB)");

  std::string body = R"({"batch":[{}]})";
  body.resize(max_batch_bytes, ' ');
  EXPECT_EQ(lean_count(body, true).error, "");
  body.push_back(' ');
  EXPECT_EQ(lean_count(body, true).error, "request body too large (limit 500 KB)");
}

TEST(MockLeanCount, DeepNestingNeedsNoRecursion) {
  const std::size_t depth = 200000;
  const std::string deep = R"({"batch":[{}],"deep":)" + std::string(depth, '[') + std::string(depth, ']') + "}";
  EXPECT_EQ(lean_count(deep, true).error, "");
  EXPECT_EQ(lean_count(deep, true).messages, 1u);
  EXPECT_EQ(lean_count(deep.substr(0, deep.size() - 2), true).error, "invalid JSON");
}

// The lean scanner and the full mode's parser agree on the verdict and the count for valid
// bodies, every truncation of one, and every position replaced by each structural byte.
TEST(MockLeanCount, AgreesWithTheFullParser) {
  const json batch = {
      {"batch",
       {{{"type", "track"}, {"userId", "u1"}, {"event", "Command Completed"},
         {"properties", {{"command", "deploy \"web\", [eu]"}, {"flags", {"--force", "{x}"}}, {"exit_code", 0},
                         {"duration_ms", 12.5}, {"ok", true}, {"none", nullptr}, {"name", "caf\xC3\xA9"}}}},
        {{"type", "identify"}, {"anonymousId", "a"}, {"traits", json::object()}},
        7}},
      {"sentAt", "2026-01-01T00:00:00.000Z"},
      {"writeKey", "wk"}};
  const std::string valid = batch.dump();
  auto agree = [](const std::string& body, const std::string& what) {
    const parsed_request full = parse_ingest_body(body, "");
    const lean_result lean = lean_count(body, true);
    EXPECT_EQ(lean.error, full.error) << what << ": " << body;
    if (full.error.empty() && lean.error.empty()) {
      EXPECT_EQ(lean.messages + lean.non_objects, full.messages.size()) << what << ": " << body;
      EXPECT_EQ(lean.write_key, full.write_key) << what << ": " << body;
    }
  };
  agree(valid, "valid");
  for (std::size_t n = 0; n < valid.size(); ++n) agree(valid.substr(0, n), "truncated at " + std::to_string(n));
  for (std::size_t i = 0; i < valid.size(); ++i) {
    for (char c : std::string_view("\"\\,:[]{} 0-ex\x80")) {
      std::string mutated = valid;
      mutated[i] = c;
      agree(mutated, "byte " + std::to_string(i) + " -> " + c);
    }
  }
}

}  // namespace
}  // namespace mock_segment
