// flowtrack-callback-example: flowtrack from an Asio program written with callbacks (no
// coroutines): async_flush and async_close take any completion token, a lambda included.
//
//   flowtrack-callback-example --endpoint http://127.0.0.1:8080 --write-key KEY
#include <chrono>
#include <exception>
#include <iostream>
#include <system_error>

#include <CLI/CLI.hpp>
#include <asio/io_context.hpp>
#include <flowtrack/client.hpp>

// NOLINTNEXTLINE(bugprone-exception-escape): a config the client rejects is a bug: terminate
int main(int argc, char** argv) {
  std::string endpoint = "https://api.segment.io";
  std::string write_key;
  CLI::App app{"Sends one Segment event with flowtrack, completion by callbacks."};
  app.add_option("--endpoint", endpoint, "Segment-compatible API base URL");
  app.add_option("--write-key", write_key, "Segment write key")->required();
  CLI11_PARSE(app, argc, argv);

  asio::io_context io;
  flowtrack::client telemetry{io, {.write_key = write_key, .endpoint = endpoint}};
  if (auto ec = telemetry.track({.user_id = "example-user", .event = "Callback Example"}))
    std::cerr << "not queued: " << ec.message() << '\n';

  int exit_code = 1;
  // Completion signature void(std::exception_ptr, std::error_code): the pointer is set only for
  // what the engine itself throws (out of memory); delivery outcomes are the error_code.
  telemetry.async_flush([&](std::exception_ptr, std::error_code flushed) {
    std::cout << "flush: " << (flushed ? flushed.message() : "delivered") << '\n';
    telemetry.async_close(std::chrono::seconds(3), [&](std::exception_ptr, flowtrack::close_report report) {
      std::cout << "delivered " << report.delivered << ", failed " << report.failed << ", pending "
                << report.pending << '\n';
      exit_code = report.failed + report.pending == 0 ? 0 : 1;
    });
  });
  io.run();  // returns once the close has completed: the client's tasks are over
  return exit_code;
}
