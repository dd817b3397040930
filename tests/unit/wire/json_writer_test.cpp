// The JSON writer on its own: escapes, UTF-8 repair/reject, numbers, depth.
#include "wire/json_writer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "flowtrack/error.hpp"

namespace flowtrack::detail {
namespace {

using nlohmann::json;

std::string str(std::string_view s, utf8_policy p = utf8_policy::repair) {
  std::string out;
  EXPECT_FALSE(write_json_string(out, s, p));
  return out;
}

std::string val(const json& v, std::size_t depth = 64) {
  std::string out;
  auto ec = write_json_value(out, v, utf8_policy::repair, depth);
  EXPECT_FALSE(ec) << ec.message();
  return out;
}

std::error_code val_error(const json& v, std::size_t depth = 64, utf8_policy p = utf8_policy::repair) {
  std::string out;
  return write_json_value(out, v, p, depth);
}

TEST(JsonString, EscapeTable) {
  struct row {
    std::string in, expected;
  };
  const row rows[] = {
      {"", R"("")"},
      {"plain ascii text longer than eight bytes", R"("plain ascii text longer than eight bytes")"},
      {"q\"uote", R"("q\"uote")"},
      {"back\\slash", R"("back\\slash")"},
      {"/slash/", R"("/slash/")"},
      {"\b\f\n\r\t", R"("\b\f\n\r\t")"},
      {std::string("a\0b", 3), R"("a\u0000b")"},
      {"\x01\x1f", R"("\u0001\u001f")"},
      {"\x7f", "\"\x7f\""},  // DEL needs no escape
      {"12345678\"", R"("12345678\"")"},          // special byte right after a fast chunk
      {"1234567\n12345678", R"("1234567\n12345678")"},  // special byte at the end of a chunk
  };
  for (const auto& r : rows) EXPECT_EQ(str(r.in), r.expected) << r.expected;
}

TEST(JsonString, EveryControlCharacterRoundTrips) {
  std::string all;
  for (int c = 0; c < 0x20; ++c) all.push_back(static_cast<char>(c));
  all += "\"\\ end";
  const auto out = str(all);
  for (char c : out) EXPECT_GE(static_cast<unsigned char>(c), 0x20) << "raw control byte in output";
  EXPECT_EQ(json::parse(out), all);
}

// The copy checks whole words, two overlapping halves under 8 bytes and single bytes under 4:
// every length up to 40 with one special byte (or UTF-8 sequence) at every position, each
// against nlohmann::json's own dump, and appended after text already in the string.
TEST(JsonString, EveryLengthAndPositionOfASpecialByteMatchesTheReference) {
  const std::string specials[] = {"\"", "\\", "\n", std::string(1, '\0'), "\x1f", "\xC3\xA9", "\xE2\x82\xAC",
                                  "\xF0\x9F\x98\x80"};
  for (std::size_t n = 0; n <= 40; ++n) {
    const std::string plain(n, 'a');
    EXPECT_EQ(str(plain), json(plain).dump()) << n;
    for (const auto& special : specials)
      for (std::size_t at = 0; at <= n; ++at) {
        const std::string s = plain.substr(0, at) + special + plain.substr(at);
        std::string out = "prefix:";
        ASSERT_FALSE(write_json_string(out, s, utf8_policy::reject)) << n << " " << at;
        EXPECT_EQ(out, "prefix:" + json(s).dump()) << n << " " << at;
      }
  }
}

TEST(JsonString, AnInvalidByteAtEveryLengthAndPositionIsRepairedOrRefused) {
  for (std::size_t n = 0; n <= 40; ++n)
    for (std::size_t at = 0; at <= n; ++at) {
      const std::string plain(n, 'b');
      const std::string s = plain.substr(0, at) + "\xFF" + plain.substr(at);
      EXPECT_EQ(str(s), "\"" + plain.substr(0, at) + "\xEF\xBF\xBD" + plain.substr(at) + "\"") << n << " " << at;
      std::string out;
      EXPECT_EQ(write_json_string(out, s, utf8_policy::reject), errc::invalid_utf8) << n << " " << at;
    }
}

TEST(JsonString, Utf8Table) {
  struct row {
    const char* name;
    std::string in;
    std::string repaired;  // empty: valid, written as it is
  };
  const std::string fffd = "\xEF\xBF\xBD";
  const row rows[] = {
      {"2-byte", "caf\xC3\xA9", ""},
      {"3-byte", "\xE2\x82\xAC", ""},
      {"4-byte", "\xF0\x9F\x98\x80", ""},
      {"U+FFFF", "\xEF\xBF\xBF", ""},
      {"U+10FFFF", "\xF4\x8F\xBF\xBF", ""},
      {"mixed in a long run", "abcdefgh\xC3\xA9ijklmnop\xF0\x9F\x98\x80qrstuvwx", ""},
      {"lone continuation", "a\x80z", "a" + fffd + "z"},
      {"overlong '/' (C0 AF)", "\xC0\xAF", fffd + fffd},
      {"overlong NUL (C0 80)", "\xC0\x80", fffd + fffd},
      {"overlong 3-byte", "\xE0\x80\xAF", fffd + fffd + fffd},
      {"overlong 4-byte", "\xF0\x80\x80\xAF", fffd + fffd + fffd + fffd},
      {"high surrogate", "\xED\xA0\x80", fffd + fffd + fffd},
      {"low surrogate", "\xED\xBF\xBF", fffd + fffd + fffd},
      {"beyond U+10FFFF", "\xF4\x90\x80\x80", fffd + fffd + fffd + fffd},
      {"F5 lead", "\xF5\x80\x80\x80", fffd + fffd + fffd + fffd},
      {"FF byte", "x\xFFy", "x" + fffd + "y"},
      {"truncated 3-byte at end", "ab\xE2\x82", "ab" + fffd + fffd},
      {"truncated 2-byte before ascii", "\xC3z", fffd + "z"},
      {"truncated 4-byte at end", "\xF0\x9F\x98", fffd + fffd + fffd},
  };
  for (const auto& r : rows) {
    std::string out;
    const auto reject = write_json_string(out, r.in, utf8_policy::reject);
    if (r.repaired.empty()) {
      EXPECT_FALSE(reject) << r.name;
      EXPECT_EQ(out, "\"" + r.in + "\"") << r.name;
      EXPECT_EQ(str(r.in), "\"" + r.in + "\"") << r.name;
    } else {
      EXPECT_EQ(reject, errc::invalid_utf8) << r.name;
      EXPECT_EQ(str(r.in), "\"" + r.repaired + "\"") << r.name;
    }
    EXPECT_NO_THROW((void)json::parse(str(r.in))) << r.name;  // repaired output is always valid JSON
  }
}

TEST(JsonString, RepairAlwaysGivesValidUtf8ForRandomBytes) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 2000; ++i) {
    std::string s(rng() % 40, '\0');
    for (auto& c : s) c = static_cast<char>(rng());
    const auto out = str(s);
    json parsed;
    ASSERT_NO_THROW(parsed = json::parse(out));
    std::string again;
    EXPECT_FALSE(write_json_string(again, parsed.get<std::string>(), utf8_policy::reject));  // now valid UTF-8
    EXPECT_EQ(again, out);
  }
}

TEST(JsonNumbers, ExactText) {
  struct row {
    json in;
    const char* expected;
  };
  const row rows[] = {
      {0, "0"},
      {-42, "-42"},
      {std::numeric_limits<std::int64_t>::min(), "-9223372036854775808"},
      {std::numeric_limits<std::int64_t>::max(), "9223372036854775807"},
      {std::numeric_limits<std::uint64_t>::max(), "18446744073709551615"},
      {0.1, "0.1"},
      {-2.5, "-2.5"},
      {1e300, "1e+300"},
      {5e-324, "5e-324"},
      {true, "true"},
      {false, "false"},
      {nullptr, "null"},
  };
  for (const auto& r : rows) EXPECT_EQ(val(r.in), r.expected);
}

TEST(JsonNumbers, DoublesRoundTripExactly) {
  std::mt19937_64 rng(7);
  int checked = 0;
  while (checked < 20000) {
    const std::uint64_t bits = rng();
    double d;
    std::memcpy(&d, &bits, sizeof d);
    if (!std::isfinite(d)) continue;
    ++checked;
    const auto parsed = json::parse(val(d));
    ASSERT_EQ(parsed.get<double>(), d) << val(d);
  }
}

TEST(JsonNumbers, NonFiniteRefusedAnywhere) {
  const double nan = std::nan(""), inf = std::numeric_limits<double>::infinity();
  for (const json& v : {json(nan), json(inf), json(-inf), json::array({1, json::array({nan})}),
                        json{{"a", {{"b", -inf}}}}})
    EXPECT_EQ(val_error(v), errc::invalid_number) << v.dump();
}

TEST(JsonDepth, LimitIsExactAndDeepValuesAreRefusedWithoutRecursion) {
  json nested = 1;
  for (int i = 0; i < 5; ++i) nested = json::array({std::move(nested)});  // 5 levels
  EXPECT_EQ(val(nested, 5), "[[[[[1]]]]]");
  EXPECT_EQ(val_error(nested, 4), errc::nesting_too_deep);

  json deep_array = json::array();
  json deep_object = json::object();
  for (int i = 0; i < 10000; ++i) {
    deep_array = json::array({std::move(deep_array)});
    deep_object = json{{"k", std::move(deep_object)}};
  }
  EXPECT_EQ(val_error(deep_array), errc::nesting_too_deep);
  EXPECT_EQ(val_error(deep_object), errc::nesting_too_deep);
}

TEST(JsonValue, ObjectsKeepTheirOrderAndKeysAreEscaped) {
  const json v = {{"b", 1}, {"a", json::array({"x", nullptr, 2.5})}, {"k\"ey\n", json::object()}};
  EXPECT_EQ(val(v), R"({"a":["x",null,2.5],"b":1,"k\"ey\n":{}})");  // nlohmann::json iterates sorted
  EXPECT_EQ(json::parse(val(v)), v);
}

TEST(JsonValue, InvalidUtf8InKeysFollowsThePolicy) {
  const json v = {{"bad\xFFkey", "ok"}};
  EXPECT_EQ(val_error(v, 64, utf8_policy::reject), errc::invalid_utf8);
  EXPECT_EQ(val(v), "{\"bad\xEF\xBF\xBDkey\":\"ok\"}");
}

}  // namespace
}  // namespace flowtrack::detail
