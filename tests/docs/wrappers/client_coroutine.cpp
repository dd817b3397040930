// For README fragments that are statements of a coroutine using a client `telemetry` and an
// application's `log(...)`.
#include <chrono>

#include <asio/awaitable.hpp>
#include <flowtrack/client.hpp>

using namespace std::chrono_literals;

template <class... Args>
void log(const Args&...) {}

asio::awaitable<void> snippet(flowtrack::client& telemetry) {
  // {{snippet}}
  co_return;
}
