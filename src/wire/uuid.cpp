#include "wire/uuid.hpp"

#include <pthread.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <random>
#include <thread>

namespace flowtrack::detail {
namespace {

// Bumped in the child of every fork(): a generator copied into the child by fork would
// otherwise repeat its parent's ids, and Segment drops repeated messageIds silently.
std::atomic<std::uint64_t> fork_generation{0};

void count_fork_in_child() noexcept { fork_generation.fetch_add(1, std::memory_order_relaxed); }


// xoshiro256**, seeded per thread from random_device, the thread id and the clock, and seeded
// again after a fork (in the child, whose first id then differs from the parent's next one).
struct generator {
  std::uint64_t s[4];
  std::uint64_t generation = fork_generation.load(std::memory_order_relaxed);

  static std::uint64_t splitmix(std::uint64_t& x) {
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  generator() {
    [[maybe_unused]] static const bool fork_handler = ::pthread_atfork(nullptr, nullptr, count_fork_in_child) == 0;
    seed();
  }

  void reseed_after_fork() {
    const auto now = fork_generation.load(std::memory_order_relaxed);
    if (now == generation) return;  // one relaxed load per id: track() pays nothing else
    generation = now;
    seed();
  }

  void seed() {
    std::random_device rd;  // the kernel's CSPRNG: the child's draw is its own
    std::uint64_t seed = (std::uint64_t{rd()} << 32) ^ rd() ^
                         static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
                         std::hash<std::thread::id>{}(std::this_thread::get_id());
    for (auto& v : s) v = splitmix(seed);
  }

  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  std::uint64_t next() {
    const std::uint64_t result = rotl(s[1] * 5, 7) * 9;
    const std::uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
  }
};

// "000102...ff": the two lowercase hex digits of every byte value.
constexpr std::array<char, 512> hex_pairs = [] {
  std::array<char, 512> t{};
  constexpr char digits[] = "0123456789abcdef";
  for (std::size_t i = 0; i < 256; ++i) {
    t[2 * i] = digits[i >> 4];
    t[2 * i + 1] = digits[i & 15];
  }
  return t;
}();

}  // namespace

void write_uuid_v4(char* out) {
  thread_local generator gen;
  gen.reseed_after_fork();
  std::uint64_t hi = gen.next(), lo = gen.next();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 10xx
  // Two hex digits per byte from a table; the dashes at their fixed places.
  char* p = out;
  auto put_bytes = [&](std::uint64_t word, int shift, int count) {
    for (int k = 0; k < count; ++k, shift -= 8) {
      std::memcpy(p, &hex_pairs[2 * ((word >> shift) & 0xff)], 2);
      p += 2;
    }
  };
  put_bytes(hi, 56, 4);
  *p++ = '-';
  put_bytes(hi, 24, 2);
  *p++ = '-';
  put_bytes(hi, 8, 2);
  *p++ = '-';
  put_bytes(lo, 56, 2);
  *p++ = '-';
  put_bytes(lo, 40, 6);
}

}  // namespace flowtrack::detail

namespace flowtrack {

std::string make_uuid_v4() {
  std::string s(36, '\0');
  detail::write_uuid_v4(s.data());
  return s;
}

}  // namespace flowtrack
