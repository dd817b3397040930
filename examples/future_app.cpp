// flowtrack-future-example: flowtrack from plain threads with std::future. One thread runs the
// io_context; the others track() and wait for a flush or the close with asio::use_future.
//
//   flowtrack-future-example --endpoint http://127.0.0.1:8080 --write-key KEY
#include <chrono>
#include <future>
#include <iostream>
#include <thread>

#include <CLI/CLI.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/use_future.hpp>
#include <flowtrack/client.hpp>

// NOLINTNEXTLINE(bugprone-exception-escape): a config the client rejects is a bug: terminate
int main(int argc, char** argv) {
  std::string endpoint = "https://api.segment.io";
  std::string write_key;
  CLI::App app{"Sends Segment events with flowtrack from plain threads, waiting on futures."};
  app.add_option("--endpoint", endpoint, "Segment-compatible API base URL");
  app.add_option("--write-key", write_key, "Segment write key")->required();
  CLI11_PARSE(app, argc, argv);

  asio::io_context io;
  auto work = asio::make_work_guard(io);
  std::thread io_thread([&] { io.run(); });
  flowtrack::client telemetry{io, {.write_key = write_key, .endpoint = endpoint}};

  std::thread producer([&] {
    for (int i = 0; i < 3; ++i) telemetry.track({.user_id = "example-user", .event = "Future Example", .properties = {{"i", i}}});
  });
  producer.join();

  // A future completes with the operation's value; co_spawn's exception_ptr becomes its exception.
  std::future<std::error_code> flushed = telemetry.async_flush(asio::use_future);
  if (flushed.wait_for(std::chrono::seconds(5)) == std::future_status::ready) {
    const std::error_code ec = flushed.get();
    std::cout << "flush: " << (ec ? ec.message() : "delivered") << '\n';
  }
  const flowtrack::close_report report = telemetry.async_close(std::chrono::seconds(3), asio::use_future).get();
  std::cout << "delivered " << report.delivered << ", failed " << report.failed << ", pending " << report.pending
            << '\n';
  work.reset();
  io_thread.join();
  return report.failed + report.pending == 0 ? 0 : 1;
}
