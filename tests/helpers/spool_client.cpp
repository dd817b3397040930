// Test helper: one "run" of a program using flowtrack with a spool. It replays what earlier
// runs spooled, tracks N new events, closes within a deadline and prints its report as JSON.
//   spool_client SPOOL_DIR ENDPOINT N CLOSE_TIMEOUT_MS [TAG [SPOOL_MAX_BYTES [BATCH_MAX_MESSAGES]]]
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <flowtrack/client.hpp>
#include <nlohmann/json.hpp>

// NOLINTNEXTLINE(bugprone-exception-escape): a test helper: an uncaught exception aborts the run and fails the test
int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: spool_client SPOOL_DIR ENDPOINT N CLOSE_TIMEOUT_MS [TAG]\n");
    return 2;
  }
  const std::string tag = argc > 5 ? argv[5] : "run";
  asio::io_context io;
  flowtrack::config cfg{.write_key = "zero-loss", .endpoint = argv[2], .flush_interval = std::chrono::hours(1),
                        .spool_dir = argv[1]};
  cfg.retry.base_delay = std::chrono::milliseconds(5);
  cfg.retry.max_delay = std::chrono::milliseconds(50);
  cfg.retry.max_attempts = 1000000;  // only the deadline ends a failing run
  cfg.timeouts.resolve = cfg.timeouts.connect = std::chrono::seconds(30);
  if (argc > 6) cfg.spool_max_bytes = std::strtoull(argv[6], nullptr, 10);
  if (argc > 7) cfg.batch_max_messages = std::strtoull(argv[7], nullptr, 10);
  flowtrack::client c{io, std::move(cfg)};
  const auto replayed = c.statistics().replayed;
  const int n = std::atoi(argv[3]);
  int refused = 0;
  for (int i = 0; i < n; ++i)
    if (c.track({.user_id = tag, .event = "Zero Loss", .properties = {{"i", i}, {"tag", tag}}})) ++refused;
  flowtrack::close_report report;
  const auto start = std::chrono::steady_clock::now();
  long long elapsed_ms = 0;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    report = co_await c.async_close(std::chrono::milliseconds(std::atoll(argv[4])));
    elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  }, asio::detached);
  io.run();
  // A code as "category:value" (empty when none): what tests compare, never the message text.
  auto code = [](std::error_code ec) { return ec ? std::string(ec.category().name()) + ':' + std::to_string(ec.value()) : ""; };
  const auto total_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  std::cout << nlohmann::json{{"replayed", replayed},
                              {"tracked", n - refused},
                              {"delivered", report.delivered},
                              {"failed", report.failed},
                              {"dropped", report.dropped},
                              {"pending", report.pending},
                              {"spooled", report.spooled},
                              {"deadline_reached", report.deadline_reached},
                              {"spool_error", report.spool_error ? report.spool_error.message() : ""},
                              {"last_failure", report.last_failure ? report.last_failure.message() : ""},
                              {"last_error", report.last_failure_diagnostics.last_error
                                                 ? report.last_failure_diagnostics.last_error.message()
                                                 : ""},
                              {"spool_error_code", code(report.spool_error)},
                              {"last_failure_code", code(report.last_failure)},
                              {"last_error_code", code(report.last_failure_diagnostics.last_error)},
                              {"http_status", report.last_failure_diagnostics.http_status},
                              {"attempts", report.last_failure_diagnostics.attempts},
                              {"close_ms", elapsed_ms},
                              {"run_ms", total_ms},
                              {"corrupt_bytes", c.statistics().spool_corrupt_bytes}}
                   .dump()
            << std::endl;
  return 0;
}
