// flowtrack-bench ceiling: what the W1 event costs written with plain code and no library. Each
// event gets a fresh messageId (a UUIDv4 from a per-run xoshiro256** generator, hex from a table)
// and a fresh timestamp (the clock read and formatted by hand), and goes into 500 KB batch bodies
// with the envelope around them: no validation, no escaping (the event's strings need none), no
// snprintf, no JSON library. W1 reports the client's CPU per event against this figure.
//
// Beside it, the same events serialized naively, as plain application code would write any
// event whose strings it does not know: std::string appends, a byte-by-byte escape of every
// string, std::to_chars for the numbers; the same fresh messageId and timestamp, no library, no
// snprintf. The first figure is a floor no serializer of arbitrary strings reaches (it skips
// the escaping); the second is "serializing the event naively".
#include <ctime>

#include <array>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "bench_common.hpp"

namespace flowtrack::bench {
namespace {

constexpr std::size_t body_limit = 500000;

// The generator and the hex-pair table below repeat src/wire/uuid.cpp on purpose: the ceiling
// is plain code that uses no part of the library, so it does not share them.
struct xoshiro256 {
  std::uint64_t s[4];
  explicit xoshiro256(std::uint64_t seed) {
    for (auto& v : s) {
      std::uint64_t z = (seed += 0x9e3779b97f4a7c15ULL);
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      v = z ^ (z >> 31);
    }
  }
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t next() {
    const std::uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
  }
};

// The two hex digits of every byte.
constexpr std::array<char, 512> hex_pairs = [] {
  std::array<char, 512> t{};
  constexpr char digits[] = "0123456789abcdef";
  for (std::size_t i = 0; i < 256; ++i) {
    t[2 * i] = digits[i >> 4];
    t[2 * i + 1] = digits[i & 15];
  }
  return t;
}();

char* put_uuid(char* p, xoshiro256& rng) {
  std::uint64_t hi = rng.next(), lo = rng.next();
  hi = (hi & 0xffffffffffff0fffULL) | 0x4000ULL;
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) *p++ = '-';
    const auto byte = static_cast<unsigned>(((i < 8 ? hi : lo) >> (56 - 8 * (i % 8))) & 0xff);
    std::memcpy(p, &hex_pairs[std::size_t{2} * byte], 2);
    p += 2;
  }
  return p;
}

char* put2(char* p, unsigned v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
  return p + 2;
}

// YYYY-MM-DDTHH:MM:SS.mmmZ from the clock (civil-from-days, by hand).
char* put_timestamp(char* p, std::chrono::system_clock::time_point t) {
  const std::int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  std::int64_t z = ms / 86400000 + 719468;
  const auto secs = static_cast<unsigned>(ms % 86400000 / 1000), millis = static_cast<unsigned>(ms % 1000);
  const std::int64_t era = z / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
  const auto y = static_cast<unsigned>(yoe + era * 400 + (m <= 2));
  p = put2(p, y / 100);
  p = put2(p, y % 100);
  *p++ = '-';
  p = put2(p, m);
  *p++ = '-';
  p = put2(p, d);
  *p++ = 'T';
  p = put2(p, secs / 3600);
  *p++ = ':';
  p = put2(p, secs / 60 % 60);
  *p++ = ':';
  p = put2(p, secs % 60);
  *p++ = '.';
  *p++ = static_cast<char>('0' + millis / 100);
  return put2(p, millis % 100);
}

char* put_uint(char* p, unsigned v) {
  char tmp[10];
  int n = 0;
  do {
    tmp[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) *p++ = tmp[--n];
  return p;
}

char* put(char* p, std::string_view s) {
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

// The W1 event's values (bench_common.cpp's command_completed), as an application would hold them.
struct plain_event {
  std::string_view event = "Command Completed", command = "deploy", flags = "--verbose", version = "1.2.3";
  bool succeeded = true, ci = false;
  unsigned exit_code = 0, duration_ms = 1234, sequence = 0, user = 0;
};

char* put_string(char* p, std::string_view s) {  // the event's strings need no escaping
  *p++ = '"';
  p = put(p, s);
  *p++ = '"';
  return p;
}

char* put_bool(char* p, bool b) { return put(p, b ? "true" : "false"); }

// One member after another, keys in the order the client writes them (the properties' sorted).
char* put_event(char* p, const plain_event& e, xoshiro256& rng) {
  p = put(p, R"({"messageId":")");
  p = put_uuid(p, rng);
  p = put(p, R"(","type":"track","userId":"user-)");
  p = put_uint(p, e.user);
  p = put(p, R"(","event":)");
  p = put_string(p, e.event);
  p = put(p, R"(,"properties":{"ci":)");
  p = put_bool(p, e.ci);
  p = put(p, R"(,"command":)");
  p = put_string(p, e.command);
  p = put(p, R"(,"duration_ms":)");
  p = put_uint(p, e.duration_ms);
  p = put(p, R"(,"exit_code":)");
  p = put_uint(p, e.exit_code);
  p = put(p, R"(,"flags":)");
  p = put_string(p, e.flags);
  p = put(p, R"(,"sequence":)");
  p = put_uint(p, e.sequence);
  p = put(p, R"(,"succeeded":)");
  p = put_bool(p, e.succeeded);
  p = put(p, R"(,"version":)");
  p = put_string(p, e.version);
  p = put(p, R"(},"timestamp":")");
  p = put_timestamp(p, std::chrono::system_clock::now());
  return put(p, "Z\"}");
}

// The naive serializer: appends, and every string escaped byte by byte.
void append_escaped(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

void append_number(std::string& out, unsigned v) {
  char buf[16];
  out.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

void append_event_naively(std::string& out, const plain_event& e, xoshiro256& rng) {
  char id[36], ts[24];
  put_uuid(id, rng);
  put_timestamp(ts, std::chrono::system_clock::now());
  out += R"({"messageId":")";
  out.append(id, sizeof id);
  out += R"(","type":"track","userId":)";
  append_escaped(out, "user-" + std::to_string(e.user));
  out += R"(,"event":)";
  append_escaped(out, e.event);
  out += R"(,"properties":{)";
  append_escaped(out, "ci");
  out += ':';
  out += e.ci ? "true" : "false";
  out += ',';
  append_escaped(out, "command");
  out += ':';
  append_escaped(out, e.command);
  out += ',';
  append_escaped(out, "duration_ms");
  out += ':';
  append_number(out, e.duration_ms);
  out += ',';
  append_escaped(out, "exit_code");
  out += ':';
  append_number(out, e.exit_code);
  out += ',';
  append_escaped(out, "flags");
  out += ':';
  append_escaped(out, e.flags);
  out += ',';
  append_escaped(out, "sequence");
  out += ':';
  append_number(out, e.sequence);
  out += ',';
  append_escaped(out, "succeeded");
  out += ':';
  out += e.succeeded ? "true" : "false";
  out += ',';
  append_escaped(out, "version");
  out += ':';
  append_escaped(out, e.version);
  out += R"(},"timestamp":")";
  out.append(ts, 23);  // put_timestamp writes up to the milliseconds; the 'Z' follows
  out += "Z\"}";
}

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

constexpr std::string_view envelope_head =
    R"({"sentAt":"0000-00-00T00:00:00.000Z","context":{"library":{"name":"flowtrack",)"
    R"("version":"0.0.0"}},"batch":[)";
constexpr std::size_t event_max = 512;  // the event is about 300 bytes

// The tuned writer: a cursor into one body sized to the limit.
class cursor_writer {
 public:
  explicit cursor_writer(xoshiro256& rng) : body_(body_limit, '\0'), rng_(rng) {}
  std::size_t size() const { return static_cast<std::size_t>(p_ - body_.data()); }
  void restart() { p_ = put(body_.data(), envelope_head); }
  void comma() { *p_++ = ','; }
  void event(const plain_event& e) {
    char* const start = p_;
    p_ = put_event(p_, e, rng_);
    checksum += static_cast<std::size_t>(p_ - start);
  }
  std::size_t finish() {
    p_ = put(p_, "]}");
    checksum += static_cast<unsigned char>(p_[-3]);
    return size();
  }
  std::size_t checksum = 0;

 private:
  std::string body_;
  char* p_ = nullptr;
  xoshiro256& rng_;
};

// The naive writer: std::string appends into one body reserved to the limit.
class naive_writer {
 public:
  explicit naive_writer(xoshiro256& rng) : rng_(rng) { body_.reserve(body_limit); }
  std::size_t size() const { return body_.size(); }
  void restart() {
    body_.clear();
    body_ += envelope_head;
  }
  void comma() { body_ += ','; }
  void event(const plain_event& e) { append_event_naively(body_, e, rng_); }
  std::size_t finish() {
    body_ += "]}";
    checksum += static_cast<unsigned char>(body_[body_.size() - 3]);
    return body_.size();
  }
  std::size_t checksum = 0;

 private:
  std::string body_;
  xoshiro256& rng_;
};

struct filled {
  double cpu_s;
  std::size_t bytes, batches;
};

// The W1 events 0..n-1 written by `out` into bodies of at most body_limit bytes, on this
// thread's CPU clock.
template <class Writer>
filled fill_bodies(Writer& out, int n) {
  filled f{0, 0, 0};
  const double cpu0 = thread_cpu_seconds();
  plain_event event;
  out.restart();
  bool first = true;
  for (int i = 0; i < n; ++i) {
    if (out.size() + event_max + 2 > body_limit) {  // this body is full
      f.bytes += out.finish();
      ++f.batches;
      out.restart();
      first = true;
    }
    if (!first) out.comma();
    first = false;
    event.user = static_cast<unsigned>(i % 1000);
    event.sequence = static_cast<unsigned>(i);
    out.event(event);
  }
  f.bytes += out.finish();
  ++f.batches;
  f.cpu_s = thread_cpu_seconds() - cpu0;
  return f;
}

}  // namespace

json ceiling(int n) {
  xoshiro256 rng(static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()));
  cursor_writer tuned(rng);
  const filled t = fill_bodies(tuned, n);
  // The same events, naively (see the top of this file), into the same 500 KB bodies.
  naive_writer naive(rng);
  const filled v = fill_bodies(naive, n);
  return {{"workload", "ceiling"},
          {"events", n},
          {"ns_per_event", t.cpu_s * 1e9 / n},
          {"naive_ns_per_event", v.cpu_s * 1e9 / n},
          {"naive_body_bytes_per_event", static_cast<double>(v.bytes) / n},
          {"body_bytes_per_event", static_cast<double>(t.bytes) / n},
          {"batches", t.batches},
          {"checksum", tuned.checksum + naive.checksum}};  // printed so the writing cannot be optimised away
}

workload add_ceiling(CLI::App& app) {
  auto events = std::make_shared<int>(200000);
  auto* cmd = app.add_subcommand("ceiling", "the W1 event serialized into 500 KB bodies by plain code: ns/event");
  cmd->add_option("--events", *events)->check(CLI::Range(1, 100000000));
  return {cmd, [events] { return ceiling(*events); }};
}

}  // namespace flowtrack::bench
