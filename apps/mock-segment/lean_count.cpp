#include "lean_count.hpp"

#include <array>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "validation.hpp"

namespace mock_segment {

namespace {

// A position in the body and the grammar's leaves. Each function starts at the leaf's first
// byte, and on success leaves `p` just past it; false means the input is not JSON.
struct cursor {
  const char* p;
  const char* end;

  bool at_end() const noexcept { return p == end; }
  // Call only when !at_end().
  unsigned char peek() const noexcept { return static_cast<unsigned char>(*p); }

  void skip_whitespace() noexcept {
    while (p != end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) ++p;
  }

  bool consume(char c) noexcept {
    if (p == end || *p != c) return false;
    ++p;
    return true;
  }

  bool literal(std::string_view word) noexcept {
    if (static_cast<std::size_t>(end - p) < word.size() || std::memcmp(p, word.data(), word.size()) != 0)
      return false;
    p += word.size();
    return true;
  }

  bool digits() noexcept {
    const char* start = p;
    while (p != end && *p >= '0' && *p <= '9') ++p;
    return p != start;
  }

  bool number() noexcept {
    consume('-');
    if (consume('0')) {
      // a leading zero stands alone
    } else if (p != end && *p >= '1' && *p <= '9') {
      digits();
    } else {
      return false;
    }
    if (consume('.') && !digits()) return false;
    if (p != end && (*p == 'e' || *p == 'E')) {
      ++p;
      if (!consume('+')) consume('-');
      if (!digits()) return false;
    }
    return true;
  }

  // \uXXXX at p (the backslash); the code unit, or -1.
  long hex4_at(const char* at) const noexcept {
    if (end - at < 6 || at[0] != '\\' || at[1] != 'u') return -1;
    long v = 0;
    for (int i = 2; i < 6; ++i) {
      const char c = at[i];
      int d = -1;
      if (c >= '0' && c <= '9') d = c - '0';
      else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
      if (d < 0) return -1;
      v = v * 16 + d;
    }
    return v;
  }

  // An escape sequence; surrogates must pair up, as the full mode's parser requires.
  bool escape() noexcept {
    if (end - p < 2) return false;
    switch (p[1]) {
      case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
        p += 2;
        return true;
      case 'u': break;
      default: return false;
    }
    const long unit = hex4_at(p);
    if (unit < 0 || (unit >= 0xDC00 && unit <= 0xDFFF)) return false;
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      const long low = hex4_at(p + 6);
      if (low < 0xDC00 || low > 0xDFFF) return false;
      p += 12;
      return true;
    }
    p += 6;
    return true;
  }

  bool continuation(std::size_t i, unsigned char lo = 0x80, unsigned char hi = 0xBF) const noexcept {
    if (static_cast<std::size_t>(end - p) <= i) return false;
    const auto b = static_cast<unsigned char>(p[i]);
    return b >= lo && b <= hi;
  }

  // One well-formed UTF-8 sequence (RFC 3629: no overlongs, no surrogates, at most U+10FFFF).
  bool utf8() noexcept {
    const auto b = peek();
    std::size_t n = 0;
    if (b >= 0xC2 && b <= 0xDF) n = continuation(1) ? 2 : 0;
    else if (b == 0xE0) n = continuation(1, 0xA0) && continuation(2) ? 3 : 0;
    else if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF) n = continuation(1) && continuation(2) ? 3 : 0;
    else if (b == 0xED) n = continuation(1, 0x80, 0x9F) && continuation(2) ? 3 : 0;
    else if (b == 0xF0) n = continuation(1, 0x90) && continuation(2) && continuation(3) ? 4 : 0;
    else if (b >= 0xF1 && b <= 0xF3) n = continuation(1) && continuation(2) && continuation(3) ? 4 : 0;
    else if (b == 0xF4) n = continuation(1, 0x80, 0x8F) && continuation(2) && continuation(3) ? 4 : 0;
    p += n;
    return n != 0;
  }

  // A string, p at its opening quote. Plain bytes are skipped 16 at a time; the loop stops
  // only at a quote, a backslash, a control character or a non-ASCII byte.
  [[gnu::always_inline]] bool string(bool& escaped) noexcept {
    ++p;
    for (;;) {
#if defined(__SSE2__)
      const __m128i quote = _mm_set1_epi8('"');
      const __m128i backslash = _mm_set1_epi8('\\');
      const __m128i space = _mm_set1_epi8(' ');
      while (end - p >= 16) {
        const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        // A signed compare: below ' ' are the control characters and every byte >= 0x80.
        const __m128i special = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(chunk, quote), _mm_cmpeq_epi8(chunk, backslash)),
                                             _mm_cmplt_epi8(chunk, space));
        if (const int mask = _mm_movemask_epi8(special)) {
          p += __builtin_ctz(static_cast<unsigned>(mask));
          break;
        }
        p += 16;
      }
#endif
      if (p == end) return false;
      const unsigned char c = peek();
      if (c == '"') {
        ++p;
        return true;
      }
      if (c == '\\') {
        if (!escape()) return false;
        escaped = true;
      } else if (c < 0x20) {
        return false;
      } else if (c >= 0x80) {
        if (!utf8()) return false;
      } else {
        ++p;
      }
    }
  }
};

// One bit per open container: set for an array. Every level costs a byte of input, so a body
// within max_batch_bytes never needs more.
class container_stack {
 public:
  std::size_t depth() const noexcept { return depth_; }
  void push(bool array) noexcept {
    const std::uint64_t bit = std::uint64_t{1} << (depth_ % 64);
    auto& word = words_[depth_ / 64];
    word = array ? (word | bit) : (word & ~bit);
    ++depth_;
  }
  void pop() noexcept { --depth_; }
  bool top_is_array() const noexcept { return (words_[(depth_ - 1) / 64] >> ((depth_ - 1) % 64)) & 1u; }

 private:
  std::array<std::uint64_t, max_batch_bytes / 64 + 1> words_;
  std::size_t depth_ = 0;
};

enum class top_key { other, batch, write_key };

// Not JSON: nothing found is reported, not even a write key read before the error.
lean_result invalid() noexcept {
  lean_result out;
  out.error = "invalid JSON";
  return out;
}

// The pass over one body: one value per iteration of run(), then the containers that value
// closes. Only the root object's keys and the batch array's elements are looked at.
class scan {
 public:
  scan(std::string_view body, bool batch) noexcept
      : in_{body.data(), body.data() + body.size()}, body_size_(body.size()), batch_(batch) {
    if (body.starts_with("\xEF\xBB\xBF")) in_.p += 3;  // a byte-order mark, skipped as the full mode does
  }

  lean_result run() noexcept {
    in_.skip_whitespace();
    if (in_.at_end() || in_.peek() != '{') return invalid();
    for (;;) {
      const step next = value();
      if (next == step::failed) return invalid();
      if (next == step::opened) continue;
      // Past a complete value: count it if it is a batch element, then close what it ends.
      for (;;) {
        if (stack_.depth() == 2 && in_batch_) {
          if (static_cast<std::size_t>(in_.p - element_start_) > max_message_bytes) element_too_large_ = true;
          ++(element_is_object_ ? out_.messages : out_.non_objects);
        }
        in_.skip_whitespace();
        if (stack_.depth() == 0) return in_.at_end() ? finish() : invalid();
        const bool array = stack_.top_is_array();
        if (in_.consume(',')) {
          in_.skip_whitespace();
          if (!array && !key()) return invalid();
          break;
        }
        if (!in_.consume(array ? ']' : '}')) return invalid();
        stack_.pop();
      }
    }
  }

 private:
  enum class step { complete, opened, failed };

  // A value at its first byte (whitespace skipped). A container that is not empty is left
  // `opened`, with `in_` at its first value (in an object, past the first key); nested values
  // are read by the caller's loop, never by recursion.
  step value() noexcept {
    if (in_.at_end()) return step::failed;
    const unsigned char c = in_.peek();
    if (stack_.depth() == 1) {
      if (key_ == top_key::batch) {  // the last "batch" key counts
        batch_found_ = in_batch_ = c == '[';
        out_.messages = out_.non_objects = 0;
        element_too_large_ = false;
      } else if (key_ == top_key::write_key) {
        out_.write_key = {};
        out_.write_key_escaped = false;
      }
    } else if (stack_.depth() == 2 && in_batch_) {
      element_start_ = in_.p;
      element_is_object_ = c == '{';
    }
    switch (c) {
      case '{':
      case '[': {
        ++in_.p;
        stack_.push(c == '[');
        in_.skip_whitespace();
        if (in_.consume(c == '[' ? ']' : '}')) {
          stack_.pop();
          return step::complete;
        }
        return c == '[' || key() ? step::opened : step::failed;
      }
      case '"': {
        const char* start = in_.p + 1;
        bool escaped = false;
        if (!in_.string(escaped)) return step::failed;
        if (stack_.depth() == 1 && key_ == top_key::write_key) {
          out_.write_key = std::string_view(start, static_cast<std::size_t>(in_.p - 1 - start));
          out_.write_key_escaped = escaped;
        }
        return step::complete;
      }
      case 't': return done(in_.literal("true"));
      case 'f': return done(in_.literal("false"));
      case 'n': return done(in_.literal("null"));
      default: return done(in_.number());
    }
  }

  static step done(bool ok) noexcept { return ok ? step::complete : step::failed; }

  // An object key, its colon and the whitespace before the value.
  bool key() noexcept {
    const char* start = in_.p + 1;
    bool escaped = false;
    if (in_.at_end() || in_.peek() != '"' || !in_.string(escaped)) return false;
    if (stack_.depth() == 1) {
      const std::string_view name(start, static_cast<std::size_t>(in_.p - 1 - start));
      key_ = name == "batch" ? top_key::batch : name == "writeKey" ? top_key::write_key : top_key::other;
      in_batch_ = false;
    }
    in_.skip_whitespace();
    if (!in_.consume(':')) return false;
    in_.skip_whitespace();
    return true;
  }

  lean_result finish() noexcept {
    if (!batch_) {
      out_.messages = 1;
      if (body_size_ > max_message_bytes) out_.error = "message too large (limit 32 KB)";
    } else if (!batch_found_) {
      out_.error = "missing batch array";
    } else if (out_.messages + out_.non_objects > max_batch_messages) {
      out_.error = "too many events in batch (limit 2500)";
    } else if (element_too_large_) {
      out_.error = "message too large (limit 32 KB)";
    }
    return out_;
  }

  cursor in_;
  std::size_t body_size_;
  bool batch_;
  lean_result out_;
  container_stack stack_;
  top_key key_ = top_key::other;  // the root key whose value is being read
  bool in_batch_ = false;         // inside the root's "batch" array
  bool batch_found_ = false;
  bool element_too_large_ = false;
  bool element_is_object_ = false;
  const char* element_start_ = nullptr;
};

}  // namespace

lean_result lean_count(std::string_view body, bool batch) noexcept {
  if (body.size() > max_batch_bytes) {
    lean_result out;
    out.error = "request body too large (limit 500 KB)";
    return out;
  }
  return scan(body, batch).run();
}

}  // namespace mock_segment
