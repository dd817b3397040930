// Micro timing of encode() for an 8-property track message (not built by CMake).
//   clang++ -std=c++20 -O2 -DNDEBUG -Isrc -Iinclude bench/micro_wire.cpp build-wire/src/libflowtrack.a \
//     build-wire/libflowtrack_asio.a -lssl -lcrypto -pthread -o /tmp/micro_wire && /tmp/micro_wire
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "wire/encoder.hpp"

int main() {
  using namespace flowtrack;
  using clock = std::chrono::steady_clock;
  const detail::encode_options o{.now = std::chrono::system_clock::now()};
  const json props = {{"command", "deploy"},          {"flags", {"--force", "--region"}},
                      {"duration_ms", 1234},           {"exit_code", 0},
                      {"ok", true},                    {"version", "1.4.2"},
                      {"os", "linux"},                 {"ratio", 0.8125}};
  detail::encoded_message out;
  std::vector<double> per_event;
  constexpr int rounds = 50, per_round = 20000;
  std::size_t bytes = 0;
  for (int r = 0; r < rounds; ++r) {
    const auto t0 = clock::now();
    for (int i = 0; i < per_round; ++i) {
      // A fresh message each time, as track() gets: the copy of the json is part of the cost
      // the caller pays anyway, so it is timed separately below.
      if (detail::encode(track_message{.user_id = "user-123456", .event = "Command Completed", .properties = props}, o,
                         out))
        return 1;
      bytes += out.json.size();
    }
    per_event.push_back(std::chrono::duration<double, std::nano>(clock::now() - t0).count() / per_round);
  }
  std::sort(per_event.begin(), per_event.end());
  std::printf("encode (incl. building the message + copying 8 props): p50 %.0f ns/event, min %.0f, %zu bytes\n",
              per_event[per_event.size() / 2], per_event.front(), out.json.size());

  const track_message m{.user_id = "user-123456", .event = "Command Completed", .properties = props};
  per_event.clear();
  for (int r = 0; r < rounds; ++r) {
    const auto t0 = clock::now();
    for (int i = 0; i < per_round; ++i) {
      if (detail::encode(m, o, out)) return 1;
      bytes += out.json.size();
    }
    per_event.push_back(std::chrono::duration<double, std::nano>(clock::now() - t0).count() / per_round);
  }
  std::sort(per_event.begin(), per_event.end());
  std::printf("encode only (same message, fresh UUID each): p50 %.0f ns/event, min %.0f\n",
              per_event[per_event.size() / 2], per_event.front());

  per_event.clear();
  for (int r = 0; r < rounds; ++r) {
    const auto t0 = clock::now();
    for (int i = 0; i < per_round; ++i) {
      detail::encoded_message fresh;  // no reused buffer: an allocation per event, as in the client
      if (detail::encode(m, o, fresh)) return 1;
      bytes += fresh.json.size();
    }
    per_event.push_back(std::chrono::duration<double, std::nano>(clock::now() - t0).count() / per_round);
  }
  std::sort(per_event.begin(), per_event.end());
  std::printf("encode into a fresh encoded_message: p50 %.0f ns/event, min %.0f\n", per_event[per_event.size() / 2],
              per_event.front());

  per_event.clear();
  for (int r = 0; r < rounds; ++r) {
    const auto t0 = clock::now();
    for (int i = 0; i < per_round; ++i) bytes += props.dump().size();
    per_event.push_back(std::chrono::duration<double, std::nano>(clock::now() - t0).count() / per_round);
  }
  std::sort(per_event.begin(), per_event.end());
  std::printf("(reference: nlohmann dump() of the properties alone: p50 %.0f ns)\n", per_event[per_event.size() / 2]);
  return bytes == 0;
}
