// flowtrack-example: how an Asio application sends Segment events with flowtrack.
//
//   flowtrack-example --endpoint http://127.0.0.1:8080 --write-key KEY --events 10
//
// Copy the shape: one io_context, one flowtrack::client, track() from anywhere, and an
// async_close() with a deadline before the program ends.
#include <chrono>
#include <cstdio>
#include <iostream>

#include <CLI/CLI.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <flowtrack/client.hpp>

// NOLINTNEXTLINE(bugprone-exception-escape): a config the client rejects is a bug: terminate
int main(int argc, char** argv) {
  std::string endpoint = "https://api.segment.io";
  std::string write_key;
  int events = 5;
  int close_timeout_ms = 3000;
  bool verbose = false;
  CLI::App app{"Sends a few Segment events with flowtrack, then closes within a deadline."};
  app.add_option("--endpoint", endpoint, "Segment-compatible API base URL");
  app.add_option("--write-key", write_key, "Segment write key")->required();
  app.add_option("--events", events, "number of track events to send")->check(CLI::Range(0, 1000000));
  app.add_option("--close-timeout-ms", close_timeout_ms, "deadline for delivery at exit");
  app.add_flag("-v,--verbose", verbose, "print the client's diagnostics on stderr");
  CLI11_PARSE(app, argc, argv);

  asio::io_context io;
  flowtrack::config cfg{.write_key = write_key, .endpoint = endpoint};
  if (verbose) {
    cfg.logger = [](flowtrack::log_level, std::string_view line) { std::cerr << "flowtrack: " << line << '\n'; };
  }
  flowtrack::client telemetry{io, std::move(cfg)};

  // track() is synchronous and never blocks: call it from any thread, coroutine or not.
  telemetry.identify({.user_id = "example-user", .traits = {{"plan", "free"}}});
  for (int i = 0; i < events; ++i) {
    if (auto ec = telemetry.track({.user_id = "example-user",
                                   .event = "Example Event",
                                   .properties = {{"index", i}, {"source", "flowtrack-example"}}})) {
      std::cerr << "not queued: " << ec.message() << '\n';
    }
  }

  int exit_code = 0;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    // Delivers what is queued; never takes longer than the deadline.
    auto report = co_await telemetry.async_close(std::chrono::milliseconds(close_timeout_ms));
    std::cout << "delivered " << report.delivered << ", failed " << report.failed << ", pending "
              << report.pending << ", spooled " << report.spooled << " in " << report.elapsed.count() << " ms\n";
    exit_code = report.failed + report.pending == 0 ? 0 : 1;
  }, asio::detached);
  io.run();
  return exit_code;
}
