// Google Benchmark micro-benchmarks of the client's hot paths (docs/PERFORMANCE.md):
//
//   build/bin/flowtrack-microbench [--benchmark_filter=REGEX]
//
// encode(), one messageId, track() with nothing listening, batch assembly, gzip at the client's level and at
// zlib's default, and what building the benchmark event costs the application (an
// nlohmann::json from an initializer list, with operator[], or one message reused).
#include <benchmark/benchmark.h>

#include <asio/io_context.hpp>
#include <flowtrack/client.hpp>

#include "bench_common.hpp"
#include "http/gzip.hpp"
#include "wire/batch_body.hpp"
#include "wire/encoder.hpp"
#include "wire/uuid.hpp"

namespace {

using namespace flowtrack;

void BM_Encode(benchmark::State& state) {
  const auto m = bench::command_completed(42);
  detail::encoded_message out;
  for (auto _ : state) {
    detail::encode(m, {.now = std::chrono::system_clock::now()}, out);
    benchmark::DoNotOptimize(out.json.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * out.json.size()));
}
BENCHMARK(BM_Encode);

// One messageId (UUIDv4 text), as encode() draws it for every message: the generator is
// per thread and checks, with one relaxed load, whether a fork() happened since it was seeded.
void BM_MessageId(benchmark::State& state) {
  char id[36];
  for (auto _ : state) {
    detail::write_uuid_v4(id);
    benchmark::DoNotOptimize(id);
  }
}
BENCHMARK(BM_MessageId);

// track() from the calling thread, validation and encoding included; nothing listens on the
// endpoint and the io_context never runs, so every message stays queued.
void BM_TrackEndpointDown(benchmark::State& state) {
  asio::io_context io;
  client c{io, {.write_key = "bench", .endpoint = "http://127.0.0.1:9", .queue_capacity = 1u << 22}};
  const auto m = bench::command_completed(42);
  for (auto _ : state) benchmark::DoNotOptimize(c.track(m));
}
BENCHMARK(BM_TrackEndpointDown)->Iterations(200000);

// One 500 KB body: the envelope, then ready message bytes concatenated.
std::string full_batch(bool distinct) {
  const std::string context = detail::make_batch_context(nlohmann::json::object(), library_version());
  detail::batch_limiter limiter(2500, 500000, detail::batch_envelope_bytes(context));
  std::string body;
  detail::begin_batch_body(body, context, 500000);
  detail::encoded_message m;
  bool first = true;
  for (int i = 0;; ++i) {
    if (distinct || i == 0) detail::encode(bench::command_completed(i), {.now = std::chrono::system_clock::now()}, m);
    if (!limiter.try_add(m.json.size())) break;
    detail::append_to_batch_body(body, m.json, first);
    first = false;
  }
  detail::finish_batch_body(body);
  return body;
}

void BM_BatchAssembly(benchmark::State& state) {
  detail::encoded_message m;
  detail::encode(bench::command_completed(1), {.now = std::chrono::system_clock::now()}, m);
  const std::string context = detail::make_batch_context(nlohmann::json::object(), library_version());
  std::string body;
  std::size_t bytes = 0;
  for (auto _ : state) {
    detail::batch_limiter limiter(2500, 500000, detail::batch_envelope_bytes(context));
    detail::begin_batch_body(body, context, 500000);
    bool first = true;
    while (limiter.try_add(m.json.size())) {
      detail::append_to_batch_body(body, m.json, first);
      first = false;
    }
    detail::finish_batch_body(body);
    bytes += body.size();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_BatchAssembly);

// gzip of one batch of distinct events at a zlib level (the client uses 1).
void BM_GzipBatch(benchmark::State& state) {
  const std::string body = full_batch(true);
  std::string compressed;
  for (auto _ : state) http::gzip_compress(body, compressed, static_cast<int>(state.range(0)));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
  state.counters["times_smaller"] = static_cast<double>(body.size()) / static_cast<double>(compressed.size());
}
BENCHMARK(BM_GzipBatch)->Arg(1)->Arg(6)->Unit(benchmark::kMillisecond);

// The application's side: building the benchmark event.
void BM_BuildEventInitializerList(benchmark::State& state) {
  int i = 0;
  for (auto _ : state) {
    auto m = bench::command_completed(i++);
    benchmark::DoNotOptimize(m.properties.size());
  }
}
BENCHMARK(BM_BuildEventInitializerList);

void BM_BuildEventOperatorIndex(benchmark::State& state) {
  int i = 0;
  for (auto _ : state) {
    track_message m{.user_id = "user-" + std::to_string(i % 1000), .event = "Command Completed",
                    .properties = nlohmann::json::object()};
    auto& p = m.properties;
    p["command"] = "deploy";
    p["succeeded"] = true;
    p["exit_code"] = 0;
    p["duration_ms"] = 1234;
    p["flags"] = "--verbose";
    p["sequence"] = i++;
    p["ci"] = false;
    p["version"] = "1.2.3";
    benchmark::DoNotOptimize(p.size());
  }
}
BENCHMARK(BM_BuildEventOperatorIndex);

void BM_BuildEventReused(benchmark::State& state) {
  auto m = bench::command_completed(0);
  int i = 0;
  for (auto _ : state) {
    m.user_id = "user-" + std::to_string(i % 1000);
    m.properties["sequence"] = i++;
    benchmark::DoNotOptimize(m.properties.size());
  }
}
BENCHMARK(BM_BuildEventReused);

}  // namespace

BENCHMARK_MAIN();
