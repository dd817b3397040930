// flowtrack-bench micro: track() latency with the endpoint down (p50/p99/max ns; also with
// write-ahead on), encoding ns/event, batch assembly bytes/s, gzip MB/s at levels 1 and 6.
#include <filesystem>
#include <random>
#include <stdexcept>

#include <asio/io_context.hpp>
#include <flowtrack/client.hpp>

#include "bench_common.hpp"
#include "http/gzip.hpp"
#include "wire/batch_body.hpp"
#include "wire/encoder.hpp"

namespace flowtrack::bench {
namespace {

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
  constexpr int encoded_messages = 1000;
  std::vector<flowtrack::track_message> messages;
  messages.reserve(encoded_messages);
  for (int i = 0; i < encoded_messages; ++i) messages.push_back(command_completed(i));
  flowtrack::detail::encoded_message encoded;
  const auto e0 = steady::now();
  std::size_t bytes = 0;
  for (int i = 0; i < n; ++i) {
    flowtrack::detail::encode(messages[i % encoded_messages], {.now = std::chrono::system_clock::now()}, encoded);
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

  // gzip of one full batch of distinct events (each its own messageId and sequence), at the
  // client's level (1) and zlib's default (6): MB/s of input and how much smaller.
  {
    flowtrack::detail::batch_limiter limiter(2500, 500000, flowtrack::detail::batch_envelope_bytes(context));
    flowtrack::detail::begin_batch_body(body, context, 500000);
    bool first = true;
    for (int i = 0;; ++i) {
      flowtrack::detail::encode(command_completed(i), {.now = std::chrono::system_clock::now()}, encoded);
      if (!limiter.try_add(encoded.json.size())) break;
      flowtrack::detail::append_to_batch_body(body, encoded.json, first);
      first = false;
    }
    flowtrack::detail::finish_batch_body(body);
    for (const int level : {1, 6}) {
      std::string compressed;
      constexpr int reps = 20;
      const auto g0 = steady::now();
      for (int r = 0; r < reps; ++r) flowtrack::http::gzip_compress(body, compressed, level);
      const double s = std::chrono::duration<double>(steady::now() - g0).count() / reps;
      const std::string key = "gzip_level_" + std::to_string(level);
      out[key] = {{"mb_per_s", static_cast<double>(body.size()) / s / 1e6},
                  {"ratio", static_cast<double>(body.size()) / static_cast<double>(compressed.size())}};
    }
  }
  out["events"] = n;
  return out;
}

}  // namespace

workload add_micro(CLI::App& app) {
  auto events = std::make_shared<int>(200000);
  auto* cmd = app.add_subcommand("micro", "track() latency, encoding and batch assembly");
  cmd->add_option("--events", *events)->check(CLI::Range(1000, 10000000));
  return {cmd, [events] { return micro(*events); }};
}

}  // namespace flowtrack::bench
