#include "wire/json_writer.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "flowtrack/error.hpp"

namespace flowtrack::detail {
namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the valid UTF-8 sequence starting at s[i] (lead byte >= 0x80), or 0 if invalid.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  std::size_t n;
  std::uint32_t cp;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
    cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    cp = b0 & 0x0F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    cp = b0 & 0x07;
  } else {
    return 0;  // continuation byte, overlong 2-byte lead (C0, C1), or beyond U+10FFFF
  }
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF) return 0;  // overlong / too big
  if (cp >= 0xD800 && cp <= 0xDFFF) return 0;                                           // surrogate
  return n;
}

// Whether any of 8 bytes needs more than a copy: < 0x20, '"', '\\' or >= 0x80. Exact as a
// yes/no answer (the classic "has less than"/"has zero byte" tricks, valid for n <= 128).
inline bool needs_attention(std::uint64_t x) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
  const std::uint64_t control = (x - ones * 0x20) & ~x;
  const std::uint64_t q = x ^ (ones * '"'), quote = (q - ones) & ~q;
  const std::uint64_t b = x ^ (ones * '\\'), backslash = (b - ones) & ~b;
  return ((control | quote | backslash | x) & highs) != 0;
}

inline bool plain_ascii(unsigned char c) noexcept { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; }

std::error_code write_number(std::string& out, const nlohmann::json& v) {
  char buf[32];
  std::to_chars_result r;
  switch (v.type()) {
    case nlohmann::json::value_t::number_integer:
      r = std::to_chars(buf, buf + sizeof buf, v.get_ref<const nlohmann::json::number_integer_t&>());
      break;
    case nlohmann::json::value_t::number_unsigned:
      r = std::to_chars(buf, buf + sizeof buf, v.get_ref<const nlohmann::json::number_unsigned_t&>());
      break;
    default: {
      const double d = v.get_ref<const nlohmann::json::number_float_t&>();
      if (!std::isfinite(d)) return errc::invalid_number;
      r = std::to_chars(buf, buf + sizeof buf, d);
      break;
    }
  }
  out.append(buf, r.ptr);
  return {};
}

}  // namespace

std::error_code write_json_string(std::string& out, std::string_view s, utf8_policy policy) {
  static constexpr char hex[] = "0123456789abcdef";
  out.push_back('"');
  std::size_t run = 0;  // start of the pending run of bytes copied as they are
  std::size_t i = 0;
  const std::size_t n = s.size();
  const char* const p = s.data();
  while (i < n) {
    // Fast path: 8 plain ASCII bytes at a time, then byte by byte up to the next special one.
    for (std::uint64_t w; i + 8 <= n; i += 8) {
      std::memcpy(&w, p + i, 8);
      if (needs_attention(w)) break;
    }
    if (n - i < 8) {  // the tail (most keys are shorter than 8 bytes): one word, padded with spaces
      std::uint64_t w = 0x2020202020202020ULL;
      std::memcpy(&w, p + i, n - i);
      if (!needs_attention(w)) break;
    }
    while (i < n && plain_ascii(static_cast<unsigned char>(p[i]))) ++i;
    if (i == n) break;
    const auto c = static_cast<unsigned char>(p[i]);
    if (c >= 0x80) {
      const std::size_t len = utf8_sequence_length(s, i);
      if (len != 0) {
        i += len;
        continue;
      }
      if (policy == utf8_policy::reject) return errc::invalid_utf8;
      out.append(p + run, i - run);
      out.append(replacement);
      run = ++i;
      continue;
    }
    out.append(s.data() + run, i - run);
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\b': out.append("\\b"); break;
      case '\f': out.append("\\f"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      default: {
        const char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        out.append(esc, 6);
      }
    }
    run = ++i;
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
  return {};
}

// NOLINTNEXTLINE(misc-no-recursion): one level per nested value, bounded by max_depth
std::error_code write_json_value(std::string& out, const nlohmann::json& v, utf8_policy policy,
                                 std::size_t max_depth) {
  using t = nlohmann::json::value_t;
  switch (v.type()) {
    case t::null:
    case t::discarded:
      out.append("null");
      return {};
    case t::boolean:
      out.append(v.get_ref<const bool&>() ? "true" : "false");
      return {};
    case t::number_integer:
    case t::number_unsigned:
    case t::number_float:
      return write_number(out, v);
    case t::string:
      return write_json_string(out, v.get_ref<const std::string&>(), policy);
    case t::binary:
      return errc::invalid_message;  // no JSON form
    case t::array: {
      if (max_depth == 0) return errc::nesting_too_deep;
      out.push_back('[');
      bool first = true;
      for (const auto& item : v.get_ref<const nlohmann::json::array_t&>()) {
        if (!first) out.push_back(',');
        first = false;
        if (auto ec = write_json_value(out, item, policy, max_depth - 1)) return ec;
      }
      out.push_back(']');
      return {};
    }
    case t::object: {
      if (max_depth == 0) return errc::nesting_too_deep;
      out.push_back('{');
      bool first = true;
      for (const auto& [key, value] : v.get_ref<const nlohmann::json::object_t&>()) {  // the json's own order
        if (!first) out.push_back(',');
        first = false;
        if (auto ec = write_json_string(out, key, policy)) return ec;
        out.push_back(':');
        if (auto ec = write_json_value(out, value, policy, max_depth - 1)) return ec;
      }
      out.push_back('}');
      return {};
    }
  }
  return errc::invalid_message;
}

}  // namespace flowtrack::detail
