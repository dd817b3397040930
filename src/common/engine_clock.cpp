#include "common/engine_clock.hpp"

namespace flowtrack::detail {
namespace {

std::atomic<bool> virtual_active{false};
std::atomic<engine_clock::rep> virtual_ticks{0};
std::atomic<engine_clock::rep> virtual_start_ticks{0};
std::atomic<std::chrono::system_clock::rep> wall_start_ticks{0};
std::atomic<std::int64_t> requests_in_progress{0};

}  // namespace

engine_clock::time_point engine_clock::now() noexcept {
  if (virtual_active.load(std::memory_order_acquire))
    return time_point(duration(virtual_ticks.load(std::memory_order_acquire)));
  return std::chrono::steady_clock::now();
}

std::chrono::system_clock::time_point engine_clock::wall_now() noexcept {
  if (!virtual_active.load(std::memory_order_acquire)) return std::chrono::system_clock::now();
  const auto moved = duration(virtual_ticks.load(std::memory_order_acquire) - virtual_start_ticks.load());
  return std::chrono::system_clock::time_point(std::chrono::system_clock::duration(wall_start_ticks.load())) +
         std::chrono::duration_cast<std::chrono::system_clock::duration>(moved);
}

bool engine_clock::is_virtual() noexcept { return virtual_active.load(std::memory_order_relaxed); }

void engine_clock::io_started() noexcept { requests_in_progress.fetch_add(1, std::memory_order_relaxed); }
void engine_clock::io_ended() noexcept { requests_in_progress.fetch_sub(1, std::memory_order_relaxed); }
std::int64_t engine_clock::io_in_progress() noexcept { return requests_in_progress.load(std::memory_order_relaxed); }

virtual_time::virtual_time() noexcept {
  const auto start = std::chrono::steady_clock::now().time_since_epoch().count();
  virtual_start_ticks.store(start);
  wall_start_ticks.store(std::chrono::system_clock::now().time_since_epoch().count());
  virtual_ticks.store(start, std::memory_order_release);
  virtual_active.store(true, std::memory_order_release);
}

virtual_time::~virtual_time() { virtual_active.store(false, std::memory_order_release); }

void virtual_time::advance(engine_clock::duration d) noexcept {
  virtual_ticks.fetch_add(d.count(), std::memory_order_acq_rel);
}

}  // namespace flowtrack::detail
