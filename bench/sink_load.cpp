// flowtrack-sink-load: the ceiling of a benchmark sink (mock-segment --lean). Builds ONE valid
// /v1/batch body (as many ~300-byte `Command Completed` tracks as fit in 500 KB), then posts it
// back-to-back over C keep-alive connections for S seconds and prints one JSON object: events,
// requests and MB (of JSON) per second, and what the sink counted (/admin/stats deltas).
//   flowtrack-sink-load --endpoint http://127.0.0.1:PORT --seconds 5 --connections 2 [--gzip]
#include <array>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <asio/co_spawn.hpp>
#include <asio/connect.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <nlohmann/json.hpp>

#include "http/gzip.hpp"
#include "http/http_codec.hpp"
#include "support/http_test_client.hpp"

namespace {

using json = nlohmann::json;
using steady = std::chrono::steady_clock;
namespace http = flowtrack::http;
constexpr auto as_value = asio::experimental::as_tuple(asio::use_awaitable);
constexpr std::size_t max_body = 500000;  // Segment's batch limit

// The client's benchmark event: a track with a user id, message id, timestamp and 8 properties.
json command_completed(int i) {
  char id[40];
  std::snprintf(id, sizeof id, "00000000-0000-4000-8000-%012d", i);
  return {{"type", "track"},
          {"userId", "user-123456"},
          {"event", "Command Completed"},
          {"messageId", id},
          {"timestamp", "2026-11-25T10:00:00.000Z"},
          {"properties",
           {{"command", "deploy"},
            {"succeeded", true},
            {"exit_code", 0},
            {"duration_ms", 1234 + i % 1000},
            {"flags", {"--force", "--region"}},
            {"sequence", i},
            {"ci", false},
            {"version", "1.4.2"}}}};
}

struct batch_body {
  std::string json;
  int events = 0;
};

batch_body build_body() {
  const std::string tail = R"(],"sentAt":"2026-11-25T10:00:00.000Z","context":{"library":{"name":"flowtrack-sink-load"}}})";
  batch_body b{R"({"batch":[)", 0};
  for (;;) {
    const std::string m = command_completed(b.events).dump();
    if (b.json.size() + 1 + m.size() + tail.size() > max_body) break;
    if (b.events > 0) b.json += ',';
    b.json += m;
    ++b.events;
  }
  b.json += tail;
  return b;
}

struct counters {
  std::uint64_t ok = 0;
  std::uint64_t failed = 0;  // non-200 answers
  std::uint64_t connection_errors = 0;
};

// One keep-alive connection: post, read the answer, repeat until the deadline.
asio::awaitable<void> post_loop(asio::ip::tcp::endpoint to, std::string_view head, std::string_view body,
                                steady::time_point deadline, counters* out) {
  asio::ip::tcp::socket socket(co_await asio::this_coro::executor);
  if (auto [ec] = co_await socket.async_connect(to, as_value); ec) {
    ++out->connection_errors;
    co_return;
  }
  socket.set_option(asio::ip::tcp::no_delay(true));
  std::array<char, 4096> buf;
  while (steady::now() < deadline) {
    const std::array<asio::const_buffer, 2> request{asio::buffer(head), asio::buffer(body)};
    if (auto [ec, n] = co_await asio::async_write(socket, request, as_value); ec) {
      ++out->connection_errors;
      co_return;
    }
    http::response_parser parser;
    while (!parser.done()) {
      auto [ec, n] = co_await socket.async_read_some(asio::buffer(buf), as_value);
      if (ec || parser.feed(std::string_view(buf.data(), n))) {
        ++out->connection_errors;
        co_return;
      }
    }
    ++(parser.release().status == 200 ? out->ok : out->failed);
  }
}

json sink_stats(const std::string& endpoint) {
  const auto r = flowtrack::test::http_get(endpoint, "/admin/stats");
  if (r.error || r.response.status != 200) throw std::runtime_error("cannot read " + endpoint + "/admin/stats");
  return r.json();
}

double cpu_seconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

}  // namespace

// NOLINTNEXTLINE(bugprone-exception-escape): only bad_alloc or a bad option table escape the try
int main(int argc, char** argv) {
  std::string endpoint;
  double seconds = 5;
  int connections = 1;
  bool gzip = false;
  std::string write_key = "sink-load";
  CLI::App app{"flowtrack-sink-load: posts one prebuilt 500 KB batch back-to-back to measure a sink's ceiling"};
  app.add_option("--endpoint", endpoint, "the sink, http://host:port")->required();
  app.add_option("--seconds", seconds, "how long to post")->check(CLI::Range(0.1, 3600.0))->capture_default_str();
  app.add_option("--connections", connections, "keep-alive connections")->check(CLI::Range(1, 256))->capture_default_str();
  app.add_flag("--gzip", gzip, "send the body gzip-compressed (compressed once, up front)");
  app.add_option("--write-key", write_key, "sent as HTTP Basic auth")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  try {
    const batch_body batch = build_body();
    std::string wire_body = batch.json;
    if (gzip) http::gzip_compress(batch.json, wire_body);
    std::string authority = endpoint.substr(endpoint.find("://") + 3);
    authority = authority.substr(0, authority.find('/'));
    http::fields headers = {{"Host", authority},
                            {"Authorization", flowtrack::test::basic_auth(write_key)},
                            {"Content-Type", "application/json"}};
    if (gzip) headers.push_back({"Content-Encoding", "gzip"});
    const std::string head = http::serialize_request_head("POST", "/v1/batch", headers, wire_body.size());

    asio::io_context io(1);
    const auto colon = authority.rfind(':');
    std::string host = authority.substr(0, colon);
    if (host.starts_with('[')) host = host.substr(1, host.size() - 2);
    const asio::ip::tcp::endpoint to = *asio::ip::tcp::resolver(io).resolve(host, authority.substr(colon + 1)).begin();

    const json before = sink_stats(endpoint);
    counters count;
    const double cpu0 = cpu_seconds();
    const auto t0 = steady::now();
    const auto deadline = t0 + std::chrono::duration_cast<steady::duration>(std::chrono::duration<double>(seconds));
    for (int c = 0; c < connections; ++c) asio::co_spawn(io, post_loop(to, head, wire_body, deadline, &count), asio::detached);
    io.run();
    const double wall = std::chrono::duration<double>(steady::now() - t0).count();
    const double cpu = cpu_seconds() - cpu0;
    const json after = sink_stats(endpoint);

    const auto at_sink = after.value("events_accepted", std::uint64_t{0}) - before.value("events_accepted", std::uint64_t{0});
    const double sink_cpu = after.value("cpu_seconds", 0.0) - before.value("cpu_seconds", 0.0);
    const std::uint64_t events = count.ok * static_cast<std::uint64_t>(batch.events);
    json out = {{"workload", "sink_ceiling"},
                {"events_per_s", static_cast<double>(events) / wall},
                {"requests_per_s", static_cast<double>(count.ok) / wall},
                {"mb_per_s", static_cast<double>(count.ok) * static_cast<double>(batch.json.size()) / wall / 1e6},
                {"wire_mb_per_s", static_cast<double>(count.ok) * static_cast<double>(wire_body.size()) / wall / 1e6},
                {"connections", connections},
                {"gzip", gzip},
                {"seconds", wall},
                {"events_per_request", batch.events},
                {"body_bytes", batch.json.size()},
                {"wire_body_bytes", wire_body.size()},
                {"requests", count.ok},
                {"failed", count.failed},
                {"connection_errors", count.connection_errors},
                {"events_sent", events},
                {"events_at_sink", at_sink},
                {"sink_lean", after.value("lean", false)},
                {"sink_cpu_s", sink_cpu},
                {"events_per_sink_cpu_s", sink_cpu > 0 ? static_cast<double>(at_sink) / sink_cpu : 0.0},
                {"loadgen_cpu_s", cpu}};
    std::cout << out.dump() << std::endl;
    return count.failed == 0 && count.connection_errors == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "flowtrack-sink-load: " << e.what() << '\n';
    return 1;
  }
}
