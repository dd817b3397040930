// flowtrack-blocking-example: flowtrack in a program without an event loop (a synchronous CLI,
// a Qt or plain-threads program). The client runs on a thread of its own; flush() and close()
// block the caller for their timeout at most.
//
//   flowtrack-blocking-example --endpoint http://127.0.0.1:8080 --write-key KEY
#include <chrono>
#include <iostream>

#include <CLI/CLI.hpp>
#include <flowtrack/client.hpp>

// NOLINTNEXTLINE(bugprone-exception-escape): a config the client rejects is a bug: terminate
int main(int argc, char** argv) {
  std::string endpoint = "https://api.segment.io";
  std::string write_key;
  CLI::App app{"Sends Segment events with flowtrack from a program without an event loop."};
  app.add_option("--endpoint", endpoint, "Segment-compatible API base URL");
  app.add_option("--write-key", write_key, "Segment write key")->required();
  CLI11_PARSE(app, argc, argv);

  using namespace std::chrono_literals;
  flowtrack::client telemetry{flowtrack::config{.write_key = write_key, .endpoint = endpoint}};  // its own thread

  telemetry.track({.user_id = "example-user", .event = "Blocking Example", .properties = {{"step", 1}}});
  // Waits for what was tracked, 2 s at most (errc::deadline_reached then; delivery goes on).
  if (auto ec = telemetry.flush(2s)) std::cerr << "flush: " << ec.message() << '\n';

  telemetry.track({.user_id = "example-user", .event = "Blocking Example", .properties = {{"step", 2}}});
  const flowtrack::close_report report = telemetry.close(3s);  // never longer than 3 s
  std::cout << "delivered " << report.delivered << ", failed " << report.failed << ", pending " << report.pending
            << '\n';
  return report.failed + report.pending == 0 ? 0 : 1;
}
