// flowtrack-bench: the benchmark workloads. Each prints one JSON object on stdout.
//
//   flowtrack-bench micro [--events N]
//       track() latency with the endpoint down (p50/p99/max ns; also with write-ahead on),
//       encoding ns/event, batch assembly bytes/s.
//   flowtrack-bench w1 --endpoint URL --write-key K [--events N] [--threads T] [--gzip]
//       throughput: track N events as fast as possible, close, read the count back from the
//       sink (mock-segment's /admin/stats); wall s, CPU s, peak RSS, events/s.
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <future>
#include <iostream>
#include <random>
#include <thread>

#include <CLI/CLI.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <flowtrack/client.hpp>
#include <nlohmann/json.hpp>

#include "support/http_test_client.hpp"
#include "wire/batch_body.hpp"
#include "wire/encoder.hpp"

namespace {

using json = nlohmann::json;
using steady = std::chrono::steady_clock;

flowtrack::track_message command_completed(int i) {
  return {.user_id = "user-" + std::to_string(i % 1000),
          .event = "Command Completed",
          .properties = {{"command", "deploy"},
                         {"succeeded", true},
                         {"exit_code", 0},
                         {"duration_ms", 1234},
                         {"flags", "--verbose"},
                         {"sequence", i},
                         {"ci", false},
                         {"version", "1.2.3"}}};
}

double seconds_of(const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6; }

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return seconds_of(u.ru_utime) + seconds_of(u.ru_stime);
}

long peak_rss_kib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

json percentiles(std::vector<std::int64_t>& ns) {
  std::sort(ns.begin(), ns.end());
  auto at = [&](double q) { return ns[std::min(ns.size() - 1, static_cast<std::size_t>(q * static_cast<double>(ns.size())))]; };
  return {{"p50_ns", at(0.50)}, {"p99_ns", at(0.99)}, {"max_ns", ns.back()}};
}

// track() latency with nothing listening (the port of a closed socket), optionally write-ahead.
json track_latency(int n, bool write_ahead) {
  const auto spool = std::filesystem::temp_directory_path() / ("flowtrack-bench-" + std::to_string(std::random_device{}()));
  asio::io_context io;
  flowtrack::config cfg{.write_key = "bench", .endpoint = "http://127.0.0.1:9", .queue_capacity = static_cast<std::size_t>(n) + 1};
  if (write_ahead) {
    cfg.spool_dir = spool;
    cfg.write_ahead = true;
    cfg.spool_max_bytes = 1ull << 32;
  }
  std::vector<std::int64_t> ns;
  ns.reserve(n);
  {
    flowtrack::client c{io, cfg};
    std::vector<flowtrack::track_message> messages;
    messages.reserve(n);
    for (int i = 0; i < n; ++i) messages.push_back(command_completed(i));
    for (int i = 0; i < n; ++i) {
      const auto t0 = steady::now();
      auto ec = c.track(messages[i]);
      const auto t1 = steady::now();
      if (ec) throw std::runtime_error("track failed: " + ec.message());
      ns.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
    }
  }
  std::filesystem::remove_all(spool);
  return percentiles(ns);
}

json micro(int n) {
  json out;
  out["track_endpoint_down"] = track_latency(n, false);
  out["track_write_ahead"] = track_latency(n, true);

  // Encoding alone.
  std::vector<flowtrack::track_message> messages;
  for (int i = 0; i < 1000; ++i) messages.push_back(command_completed(i));
  flowtrack::detail::encoded_message encoded;
  const auto e0 = steady::now();
  std::size_t bytes = 0;
  for (int i = 0; i < n; ++i) {
    flowtrack::detail::encode(messages[i % 1000], {.now = std::chrono::system_clock::now()}, encoded);
    bytes += encoded.json.size();
  }
  const double encode_s = std::chrono::duration<double>(steady::now() - e0).count();
  out["encode_ns_per_event"] = encode_s * 1e9 / n;
  out["encoded_bytes_per_event"] = static_cast<double>(bytes) / n;

  // Batch assembly: concatenating ready bytes into 500 KB bodies.
  const std::string context = flowtrack::detail::make_batch_context(json::object(), flowtrack::library_version());
  std::string body;
  const auto b0 = steady::now();
  std::size_t assembled = 0;
  for (int round = 0; round < 200; ++round) {
    flowtrack::detail::batch_limiter limiter(2500, 500000, flowtrack::detail::batch_envelope_bytes(context));
    flowtrack::detail::begin_batch_body(body, context, 500000);
    bool first = true;
    while (limiter.try_add(encoded.json.size())) {
      flowtrack::detail::append_to_batch_body(body, encoded.json, first);
      first = false;
    }
    flowtrack::detail::finish_batch_body(body);
    assembled += body.size();
  }
  out["batch_assembly_bytes_per_s"] = static_cast<double>(assembled) / std::chrono::duration<double>(steady::now() - b0).count();
  out["events"] = n;
  return out;
}

json w1(const std::string& endpoint, const std::string& key, int n, int threads, bool gzip) {
  flowtrack::test::http_post(endpoint, "/admin/reset", "");
  asio::io_context io;
  flowtrack::config cfg{.write_key = key, .endpoint = endpoint, .batch_max_messages = 2500, .queue_capacity = 50000,
                        .max_in_flight = 2, .gzip = gzip};
  flowtrack::client c{io, cfg};
  auto guard = asio::make_work_guard(io);
  std::thread runner([&] { io.run(); });
  const double cpu0 = cpu_seconds();
  const auto t0 = steady::now();
  std::atomic<long> stalls{0};
  std::vector<std::thread> producers;
  for (int t = 0; t < threads; ++t) {
    producers.emplace_back([&, t] {
      for (int i = t; i < n; i += threads) {
        auto m = command_completed(i);
        while (c.track(m) == flowtrack::errc::queue_full) {  // the producer waits, track() never does
          ++stalls;
          std::this_thread::yield();
        }
      }
    });
  }
  for (auto& p : producers) p.join();
  std::promise<flowtrack::close_report> closed;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> { closed.set_value(co_await c.async_close(std::chrono::seconds(120))); },
                 asio::detached);
  const auto report = closed.get_future().get();
  const double wall = std::chrono::duration<double>(steady::now() - t0).count();
  const double cpu = cpu_seconds() - cpu0;
  guard.reset();
  runner.join();
  const auto stats = flowtrack::test::http_get(endpoint, "/admin/stats").json();
  const auto s = c.statistics();
  return {{"workload", "w1"},
          {"events", n},
          {"threads", threads},
          {"gzip", gzip},
          {"wall_s", wall},
          {"cpu_s", cpu},
          {"peak_rss_mib", static_cast<double>(peak_rss_kib()) / 1024.0},
          {"delivered_reported", report.delivered},
          {"delivered_at_sink", stats.value("events_accepted", 0)},
          {"events_per_s", static_cast<double>(stats.value("events_accepted", 0)) / wall},
          {"cpu_s_per_100k", cpu / n * 100000.0},
          {"wire_bytes_per_event", static_cast<double>(s.bytes_sent) / n},
          {"requests", s.requests},
          {"producer_stalls", stalls.load()}};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"flowtrack-bench: benchmark workloads (docs/PERFORMANCE.md)"};
  app.require_subcommand(1);
  int events = 200000, threads = 1;
  std::string endpoint, key = "bench";
  bool gzip = false;
  auto* micro_cmd = app.add_subcommand("micro", "track() latency, encoding and batch assembly");
  micro_cmd->add_option("--events", events)->check(CLI::Range(1000, 10000000));
  auto* w1_cmd = app.add_subcommand("w1", "throughput against a sink");
  w1_cmd->add_option("--endpoint", endpoint)->required();
  w1_cmd->add_option("--write-key", key);
  w1_cmd->add_option("--events", events)->check(CLI::Range(1, 100000000));
  w1_cmd->add_option("--threads", threads)->check(CLI::Range(1, 64));
  w1_cmd->add_flag("--gzip", gzip);
  CLI11_PARSE(app, argc, argv);
  try {
    std::cout << (micro_cmd->parsed() ? micro(events) : w1(endpoint, key, events, threads, gzip)).dump() << std::endl;
  } catch (const std::exception& e) {
    std::cerr << "flowtrack-bench: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
