// mock-segment: a faithful double of the Segment HTTP Tracking API for integration tests.
// See docs/MOCK-SEGMENT.md.
#include <csignal>
#include <iostream>

#include <CLI/CLI.hpp>
#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>

#include "server.hpp"

// NOLINTNEXTLINE(bugprone-exception-escape): only bad_alloc or a bad option table escape the try
int main(int argc, char** argv) {
  mock_segment::server_options options;
  std::vector<std::string> keys;
  std::string mode_name = "ok";
  int port = -1;
  CLI::App app{"mock-segment: a Segment HTTP Tracking API double (docs/MOCK-SEGMENT.md)"};
  app.add_option("--port", port, "port to listen on (0: a free one)")->required()->check(CLI::Range(0, 65535));
  app.add_option("--host", options.host, "address to listen on")->capture_default_str();
  app.add_option("--write-key", keys, "accepted write key (repeatable; none: any non-empty key)");
  std::vector<std::string> refused_events;
  app.add_option("--refuse-event", refused_events,
                 "a batch holding a track of this event gets 400, whole (repeatable; not with --lean)");
  app.add_option("--mode", mode_name, "behaviour when no fault is scripted")
      ->check(CLI::IsMember({"ok", "blackhole", "error500", "error429"}))
      ->capture_default_str();
  app.add_option("--max-events", options.limits.max_events, "events kept; the oldest are evicted")
      ->check(CLI::Range(1, 10000000))
      ->capture_default_str();
  int idle_seconds = 60;
  app.add_option("--idle-timeout", idle_seconds, "seconds before an idle connection is closed")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  app.add_option("--max-body-bytes", options.max_body_bytes, "request bodies over this size get 413")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{64} << 20))
      ->capture_default_str();
  app.add_option("--max-inflight-bytes", options.max_inflight_bytes,
                 "request bytes buffered by all connections at once; past it: 503 Retry-After")
      ->check(CLI::Range(std::size_t{64} << 10, std::size_t{1} << 34))
      ->capture_default_str();
  app.add_option("--admin-token", options.admin_token,
                 "token that state-changing admin requests must send (Authorization: Bearer TOKEN)");
  app.add_flag("--log", options.log_requests, "print one line per request on stderr");
  app.add_flag("--lean", options.lean, "count ingested events without keeping them (a benchmark sink)");
  CLI11_PARSE(app, argc, argv);
  options.port = static_cast<std::uint16_t>(port);
  options.idle_timeout = std::chrono::seconds(idle_seconds);
  options.ingest.write_keys = {keys.begin(), keys.end()};
  options.ingest.refused_events = {refused_events.begin(), refused_events.end()};
  options.initial_mode = *mock_segment::parse_mode(mode_name);

  try {
    asio::io_context io(1);
    mock_segment::server server(io, options);
    server.start();
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](std::error_code, int) {
      server.stop();
      io.stop();
    });
    const auto ep = server.local_endpoint();
    const std::string host = ep.address().is_v6() ? "[" + ep.address().to_string() + "]" : ep.address().to_string();
    std::cout << "listening on http://" << host << ':' << ep.port() << std::endl;
    io.run();
  } catch (const std::exception& e) {
    std::cerr << "mock-segment: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
