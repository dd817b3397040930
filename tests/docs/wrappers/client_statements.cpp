// For README fragments that are statements using a client `telemetry` and a message `m`.
#include <chrono>

#include <flowtrack/client.hpp>

using namespace std::chrono_literals;

void snippet(flowtrack::client& telemetry, const flowtrack::track_message& m) {
  // {{snippet}}
}
