// Drives an io_context on virtual time (common/engine_clock.hpp; a detail::virtual_time must be
// alive) for code that waits only on engine timers and real events (signals): whatever is ready
// runs; when nothing is, virtual time moves by `step`. A deadline of seconds takes
// microseconds of real time, and a test asserts virtual durations exactly.
#pragma once

#include <chrono>
#include <functional>

#include <asio/io_context.hpp>

#include "common/engine_clock.hpp"

namespace flowtrack::test {

/// Until `done()` or the io_context runs out of work; false when `real_limit` passed first.
inline bool drive_virtual(asio::io_context& io, const std::function<bool()>& done,
                          std::chrono::milliseconds real_limit = std::chrono::seconds(10),
                          std::chrono::milliseconds step = std::chrono::milliseconds(1)) {
  const auto give_up = std::chrono::steady_clock::now() + real_limit;
  while (!done() && !io.stopped()) {
    if (std::chrono::steady_clock::now() >= give_up) return false;
    if (io.poll() == 0) detail::virtual_time::advance(step);
  }
  return true;
}

}  // namespace flowtrack::test
