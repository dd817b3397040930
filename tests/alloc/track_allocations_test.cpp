// track() on the producer thread allocates nothing in steady state: the message is encoded into
// the thread's scratch buffer and copied into the batch body it will be sent in, and sent bodies
// come back for reuse (src/client/message_queue.hpp).
//
// What is counted: every operator new on the producer thread inside track() and
// wait_for_capacity() (the producer waits for room when the queue is full, as W1 does), while
// the client delivers to a loopback server that answers 200. The message, the benchmark's W1
// event (bench/bench_common.cpp), is built once; between calls, outside the count, only its
// "sequence" property changes (an integer assigned in place).
// Each track() draws a new messageId and timestamp. The I/O thread's allocations (requests,
// responses) are not counted: the claim is about the caller's path.
#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <random>
#include <thread>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <flowtrack/client.hpp>

#include "bench_common.hpp"
#include "counting_allocator.hpp"
#include "loopback_server.hpp"

namespace flowtrack::test {
namespace {

struct run_result {
  std::size_t allocations = 0;  // on this thread, in the measured calls
  std::uint64_t delivered = 0;
};

// Tracks `warm_up` events, then `measured` events counting this thread's allocations, then
// closes. The queue's default capacity (10000) is passed several times in each phase.
run_result track_in_steady_state(config cfg, int warm_up, int measured) {
  loopback_server server;
  cfg.write_key = "k";
  cfg.endpoint = server.url();
  cfg.batch_max_messages = 2500;
  asio::io_context io;
  auto guard = asio::make_work_guard(io);
  run_result result;
  {
    client c{io, cfg};
    std::thread runner([&] { io.run(); });
    auto m = bench::command_completed(0);
    auto track = [&](int i) {
      while (c.track(m) == errc::queue_full) c.wait_for_capacity(std::chrono::seconds(10));
      (void)i;
    };
    for (int i = 0; i < warm_up; ++i) {
      m.properties["sequence"] = i;
      track(i);
    }
    {
      allocation_counter counter;
      for (int i = warm_up; i < warm_up + measured; ++i) {
        counter.pause();
        m.properties["sequence"] = i;
        counter.resume();
        track(i);
      }
      result.allocations = counter.count();
    }
    std::promise<close_report> closed;
    asio::co_spawn(io, [&]() -> asio::awaitable<void> { closed.set_value(co_await c.async_close(std::chrono::seconds(30))); },
                   asio::detached);
    result.delivered = closed.get_future().get().delivered;
    guard.reset();
    runner.join();
  }
  return result;
}

std::filesystem::path fresh_spool_dir() {
  auto dir = std::filesystem::temp_directory_path() / ("flowtrack-alloc-" + std::to_string(std::random_device{}()));
  std::filesystem::create_directories(dir);
  return dir;
}

TEST(TrackAllocations, NonePerEventInSteadyState) {
  const auto r = track_in_steady_state({}, 40000, 40000);
  EXPECT_EQ(r.delivered, 80000u);
  EXPECT_EQ(r.allocations, 0u) << "heap allocations on the producer thread in 40000 track() calls";
}

TEST(TrackAllocations, NoneWithASpoolDirectory) {
  const auto dir = fresh_spool_dir();
  const auto r = track_in_steady_state({.spool_dir = dir.string()}, 40000, 40000);
  std::filesystem::remove_all(dir);
  EXPECT_EQ(r.delivered, 80000u);
  EXPECT_EQ(r.allocations, 0u) << "heap allocations on the producer thread in 40000 track() calls";
}

TEST(TrackAllocations, NoneWhenTheQueueRefusesTheMessage) {
  asio::io_context io;  // never run: nothing is sent, the queue fills
  client c{io, {.write_key = "k", .endpoint = "http://127.0.0.1:9", .queue_capacity = 100}};
  const auto m = bench::command_completed(0);
  for (int i = 0; i < 100; ++i) ASSERT_FALSE(c.track(m));
  allocation_counter counter;
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(c.track(m), errc::queue_full);
  EXPECT_EQ(counter.count(), 0u);
}

}  // namespace
}  // namespace flowtrack::test
