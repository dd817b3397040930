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

// The bytes of x that need more than a copy (< 0x20, '"', '\\' or >= 0x80) have their high bit
// set in the result; zero when none does. Exact as a yes/no answer (the classic "has less
// than"/"has zero byte" tricks, valid for n <= 128).
inline std::uint64_t attention(std::uint64_t x) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
  const std::uint64_t control = (x - ones * 0x20) & ~x;
  const std::uint64_t q = x ^ (ones * '"'), quote = (q - ones) & ~q;
  const std::uint64_t b = x ^ (ones * '\\'), backslash = (b - ones) & ~b;
  return (control | quote | backslash | x) & highs;
}

inline bool needs_attention(std::uint64_t x) noexcept { return attention(x) != 0; }

inline bool plain_ascii(unsigned char c) noexcept { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; }

// Copies n bytes from `from` to `to` and says whether all of them are copied as they are (the
// common case; otherwise `to` holds a partial copy to be overwritten). Whole words, checked as
// they are copied: the last word overlaps the one before it and strings under 8 bytes are read
// as two overlapping halves or three single bytes, so nothing is read outside the string and
// there is neither a byte loop nor a call to memcpy for a short string.
inline bool copy_if_plain(char* to, const char* from, std::size_t n) noexcept {
  std::uint64_t bad = 0;
  if (n >= 8) {
    std::uint64_t w;
    for (std::size_t i = 0; i + 8 < n; i += 8) {
      std::memcpy(&w, from + i, 8);
      bad |= attention(w);
      std::memcpy(to + i, &w, 8);
    }
    std::memcpy(&w, from + n - 8, 8);
    bad |= attention(w);
    std::memcpy(to + n - 8, &w, 8);
  } else if (n >= 4) {
    std::uint32_t lo, hi;
    std::memcpy(&lo, from, 4);
    std::memcpy(&hi, from + n - 4, 4);
    bad = attention(lo | (std::uint64_t{hi} << 32));
    std::memcpy(to, &lo, 4);
    std::memcpy(to + n - 4, &hi, 4);
  } else if (n > 0) {
    const auto first = static_cast<unsigned char>(from[0]), mid = static_cast<unsigned char>(from[n / 2]),
               last = static_cast<unsigned char>(from[n - 1]);
    constexpr std::uint64_t spaces = 0x2020202020000000ULL;  // plain fillers for the other 5 bytes
    bad = attention(spaces | first | (std::uint64_t{mid} << 8) | (std::uint64_t{last} << 16));
    to[0] = static_cast<char>(first);
    to[n / 2] = static_cast<char>(mid);
    to[n - 1] = static_cast<char>(last);
  }
  return bad == 0;
}

// The escapes and the UTF-8 checks, for a string copy_if_plain() refused.
errc write_escaped(json_out& out, std::string_view s, utf8_policy policy) {
  static constexpr char hex[] = "0123456789abcdef";
  out.put('"');
  const std::size_t n = s.size();
  const char* const p = s.data();
  std::size_t run = 0;  // start of the pending run of bytes copied as they are
  std::size_t i = 0;
  while (i < n) {
    for (std::uint64_t w; i + 8 <= n; i += 8) {  // long runs of plain bytes: a word at a time
      std::memcpy(&w, p + i, 8);
      if (needs_attention(w)) break;
    }
    if (i == n) break;
    const auto c = static_cast<unsigned char>(p[i]);
    if (plain_ascii(c)) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      const std::size_t len = utf8_sequence_length(s, i);
      if (len != 0) {
        i += len;
        continue;
      }
      if (policy == utf8_policy::reject) return errc::invalid_utf8;
      out.put(s.substr(run, i - run));
      out.put(replacement);
      run = ++i;
      continue;
    }
    out.put(s.substr(run, i - run));
    switch (c) {
      case '"': out.put("\\\""); break;
      case '\\': out.put("\\\\"); break;
      case '\b': out.put("\\b"); break;
      case '\f': out.put("\\f"); break;
      case '\n': out.put("\\n"); break;
      case '\r': out.put("\\r"); break;
      case '\t': out.put("\\t"); break;
      default: {
        const char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        out.put(std::string_view(esc, 6));
      }
    }
    run = ++i;
  }
  out.put(s.substr(run));
  out.put('"');
  return written;
}

template <class Number>
void write_integer(json_out& out, Number v) {
  constexpr std::size_t longest = 24;
  char* const at = out.room(longest);
  out.commit(std::to_chars(at, at + longest, v).ptr);
}

errc write_double(json_out& out, double d) {
  if (!std::isfinite(d)) return errc::invalid_number;
  constexpr std::size_t longest = 32;  // a double's shortest form is at most 24 characters
  char* const at = out.room(longest);
  out.commit(std::to_chars(at, at + longest, d).ptr);
  return written;
}

std::error_code to_error_code(errc e) { return e == written ? std::error_code() : std::error_code(e); }

}  // namespace

errc write_json_string(json_out& out, std::string_view s, utf8_policy policy) {
  const std::size_t n = s.size();
  char* const at = out.room(n + 2);
  if (!copy_if_plain(at + 1, s.data(), n)) return write_escaped(out, s, policy);
  at[0] = '"';
  at[n + 1] = '"';
  out.commit(at + n + 2);
  return written;
}

// NOLINTNEXTLINE(misc-no-recursion): one level per nested value, bounded by max_depth
errc write_json_value(json_out& out, const nlohmann::json& v, utf8_policy policy, std::size_t max_depth) {
  using json = nlohmann::json;
  using t = json::value_t;
  // get_ptr after the type switch: the type is known, so no check that could throw.
  switch (v.type()) {
    case t::null:
    case t::discarded:
      out.put("null");
      return written;
    case t::boolean:
      if (*v.get_ptr<const json::boolean_t*>())
        out.put("true");
      else
        out.put("false");
      return written;
    case t::number_integer:
      write_integer(out, *v.get_ptr<const json::number_integer_t*>());
      return written;
    case t::number_unsigned:
      write_integer(out, *v.get_ptr<const json::number_unsigned_t*>());
      return written;
    case t::number_float:
      return write_double(out, *v.get_ptr<const json::number_float_t*>());
    case t::string:
      return write_json_string(out, *v.get_ptr<const json::string_t*>(), policy);
    case t::binary:
      return errc::invalid_message;  // no JSON form
    case t::array: {
      if (max_depth == 0) return errc::nesting_too_deep;
      out.put('[');
      bool first = true;
      for (const auto& item : *v.get_ptr<const json::array_t*>()) {
        if (!first) out.put(',');
        first = false;
        if (const errc e = write_json_value(out, item, policy, max_depth - 1); e != written) return e;
      }
      out.put(']');
      return written;
    }
    case t::object: {
      if (max_depth == 0) return errc::nesting_too_deep;
      out.put('{');
      bool first = true;
      for (const auto& [key, value] : *v.get_ptr<const json::object_t*>()) {  // the json's own order
        if (!first) out.put(',');
        first = false;
        if (const errc e = write_json_string(out, key, policy); e != written) return e;
        out.put(':');
        if (const errc e = write_json_value(out, value, policy, max_depth - 1); e != written) return e;
      }
      out.put('}');
      return written;
    }
  }
  return errc::invalid_message;
}

std::error_code write_json_string(std::string& out, std::string_view s, utf8_policy policy) {
  json_out o(out);
  return to_error_code(write_json_string(o, s, policy));
}

std::error_code write_json_value(std::string& out, const nlohmann::json& v, utf8_policy policy,
                                 std::size_t max_depth) {
  json_out o(out);
  return to_error_code(write_json_value(o, v, policy, max_depth));
}

}  // namespace flowtrack::detail
