// flowtrack-deferred-example: asio::experimental::deferred and as_tuple in a coroutine. A
// deferred operation is a value that starts when invoked with a token; as_tuple(use_awaitable)
// awaits without exceptions.
//
//   flowtrack-deferred-example --endpoint http://127.0.0.1:8080 --write-key KEY
#include <chrono>
#include <iostream>

#include <CLI/CLI.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/deferred.hpp>
#include <asio/io_context.hpp>
#include <flowtrack/client.hpp>

// NOLINTNEXTLINE(bugprone-exception-escape): a config the client rejects is a bug: terminate
int main(int argc, char** argv) {
  std::string endpoint = "https://api.segment.io";
  std::string write_key;
  CLI::App app{"Sends one Segment event with flowtrack, through deferred and as_tuple operations."};
  app.add_option("--endpoint", endpoint, "Segment-compatible API base URL");
  app.add_option("--write-key", write_key, "Segment write key")->required();
  CLI11_PARSE(app, argc, argv);

  asio::io_context io;
  flowtrack::client telemetry{io, {.write_key = write_key, .endpoint = endpoint}};
  telemetry.track({.user_id = "example-user", .event = "Deferred Example"});

  // Nothing starts here: the close is prepared now, started at the end of the program's work.
  auto close_at_exit = telemetry.async_close(std::chrono::seconds(3), asio::experimental::deferred);

  int exit_code = 1;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    using asio::experimental::as_tuple;
    auto [flush_exception, flushed] = co_await telemetry.async_flush(as_tuple(asio::use_awaitable));
    if (!flush_exception) std::cout << "flush: " << (flushed ? flushed.message() : "delivered") << '\n';
    auto [close_exception, report] = co_await std::move(close_at_exit)(as_tuple(asio::use_awaitable));
    if (close_exception) co_return;
    std::cout << "delivered " << report.delivered << ", failed " << report.failed << ", pending "
              << report.pending << '\n';
    exit_code = report.failed + report.pending == 0 ? 0 : 1;
  }, asio::detached);
  io.run();
  return exit_code;
}
