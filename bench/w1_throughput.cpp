// flowtrack-bench w1: throughput. Track N events as fast as possible (1 or T producer threads),
// close, read the delivered count back from the sink (mock-segment's /admin/stats); wall s,
// CPU s, peak RSS, events/s, CPU-s per 100k events, wire bytes per event; then, in the same
// process, the ceiling (bench/ceiling.cpp: the same events written by plain code, tuned and
// naively) and the client's CPU per event over each.
#include <algorithm>
#include <atomic>
#include <future>
#include <memory>
#include <thread>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <flowtrack/client.hpp>

#include "bench_common.hpp"
#include "support/http_test_client.hpp"

namespace flowtrack::bench {
namespace {

struct w1_options {
  std::string endpoint;
  std::string key = "bench";
  int events = 200000;
  int threads = 1;
  bool gzip = false;
  bool fresh = false;
  std::size_t queue_capacity = flowtrack::config{}.queue_capacity;
};

// A producer's event. By default the producer reuses one message and changes what differs per
// event (user id, sequence), through a reference to the sequence's value it keeps (a lookup by
// name per event is the application's cost, 30-40 ns here, not the client's): building a fresh
// nlohmann::json with 8 members costs 0.7-1.5 us by itself (flowtrack-microbench
// BM_BuildEvent*), more than track() and delivery together. --fresh-events builds every event
// from scratch.
class producer_event {
 public:
  producer_event(int first, bool fresh) : m_(command_completed(first)), sequence_(&m_.properties["sequence"]), fresh_(fresh) {}
  const track_message& next(int i) {
    if (fresh_) {
      m_ = command_completed(i);
      return m_;
    }
    m_.user_id = "user-" + std::to_string(i % 1000);
    *sequence_ = i;
    return m_;
  }

 private:
  track_message m_;
  json* sequence_;
  bool fresh_;
};

json w1(const w1_options& o) {
  const std::string& endpoint = o.endpoint;
  const int n = o.events, threads = o.threads;
  const bool fresh = o.fresh;
  flowtrack::test::http_post(endpoint, "/admin/reset", "");
  // The process before the client exists: the binary, the shared libraries, the allocator.
  const resident_now before_client = resident_mib();
  asio::io_context io;
  // Largest batches Segment accepts; the queue capacity (by default 10000) is the memory bound.
  flowtrack::config cfg{.write_key = o.key,
                        .endpoint = endpoint,
                        .batch_max_messages = 2500,
                        .queue_capacity = o.queue_capacity,
                        .gzip = o.gzip};
  flowtrack::client c{io, cfg};
  auto guard = asio::make_work_guard(io);
  std::thread runner([&] { io.run(); });
  const double cpu0 = cpu_seconds();
  const auto t0 = steady::now();
  std::atomic<long> stalls{0};
  std::vector<std::thread> producers;
  producers.reserve(static_cast<std::size_t>(threads));
  for (int t = 0; t < threads; ++t) {
    producers.emplace_back([&, t] {
      producer_event event(t, fresh);
      for (int i = t; i < n; i += threads) {
        const track_message& m = event.next(i);
        // track() never waits: a full queue refuses the message at once. This producer would
        // rather wait than drop, so it waits for room and offers the message again.
        while (c.track(m) == flowtrack::errc::queue_full) {
          stalls.fetch_add(1, std::memory_order_relaxed);
          c.wait_for_capacity(std::chrono::seconds(10));
        }
      }
    });
  }
  for (auto& p : producers) p.join();
  // The last event is queued: the queue is at its fullest about now.
  const resident_now at_last_track = resident_mib();
  std::promise<flowtrack::close_report> closed;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> { closed.set_value(co_await c.async_close(std::chrono::seconds(120))); },
                 asio::detached);
  const auto report = closed.get_future().get();
  const double wall = std::chrono::duration<double>(steady::now() - t0).count();
  const double cpu = cpu_seconds() - cpu0;
  // Read before the ceiling below runs: its own bodies are not the client's memory. The
  // kernel's high-water mark is only brought up to date at some points (an unmap, this read),
  // so a peak between them can be missed: the sample at the last track() bounds it too.
  const double peak_rss = std::max(peak_rss_mib(), at_last_track.total_mib);
  guard.reset();
  runner.join();
  const auto stats = flowtrack::test::http_get(endpoint, "/admin/stats").json();
  const auto s = c.statistics();
  const double client_ns = cpu * 1e9 / n;
  const auto plain = ceiling(n);
  const double ceiling_ns = plain["ns_per_event"].get<double>();
  const double naive_ns = plain["naive_ns_per_event"].get<double>();
  return {{"workload", "w1"},
          {"events", n},
          {"threads", threads},
          {"gzip", o.gzip},
          {"queue_capacity", o.queue_capacity},
          {"events_built", fresh ? "fresh" : "reused"},
          {"wall_s", wall},
          {"cpu_s", cpu},
          {"peak_rss_mib", peak_rss},
          {"rss_before_client", before_client.to_json()},
          {"rss_at_last_track", at_last_track.to_json()},
          {"peak_rss_over_before_client_mib", peak_rss - before_client.total_mib},
          {"delivered_reported", report.delivered},
          {"delivered_at_sink", stats.value("events_accepted", 0)},
          {"events_per_s", static_cast<double>(stats.value("events_accepted", 0)) / wall},
          {"cpu_s_per_100k", cpu / n * 100000.0},
          {"wire_bytes_per_event", static_cast<double>(s.bytes_sent) / n},
          {"requests", s.requests},
          {"producer_stalls", stalls.load()},
          {"client_cpu_ns_per_event", client_ns},
          {"ceiling_ns_per_event", ceiling_ns},
          {"cpu_over_ceiling", client_ns / ceiling_ns},
          {"naive_ceiling_ns_per_event", naive_ns},
          {"cpu_over_naive_ceiling", client_ns / naive_ns}};
}

}  // namespace

workload add_w1(CLI::App& app) {
  auto o = std::make_shared<w1_options>();
  auto* cmd = app.add_subcommand("w1", "throughput against a sink");
  cmd->add_option("--endpoint", o->endpoint)->required();
  cmd->add_option("--write-key", o->key);
  cmd->add_option("--events", o->events)->check(CLI::Range(1, 100000000));
  cmd->add_option("--threads", o->threads)->check(CLI::Range(1, 64));
  cmd->add_flag("--gzip", o->gzip);
  cmd->add_flag("--fresh-events", o->fresh, "build every event's nlohmann::json from scratch");
  cmd->add_option("--queue-capacity", o->queue_capacity, "the client's queue_capacity (the memory bound)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10000000}));
  return {cmd, [o] { return w1(*o); }};
}

}  // namespace flowtrack::bench
