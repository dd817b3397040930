// Test helper for crash safety: tracks N events with write-ahead on against an endpoint that
// never answers, prints "tracked N" and then kills itself with SIGKILL: no close, no
// destructor, no flush. The spool must still hold every event for the next run.
//   track_then_die SPOOL_DIR ENDPOINT N
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <asio/io_context.hpp>
#include <flowtrack/client.hpp>

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: track_then_die SPOOL_DIR ENDPOINT N\n");
    return 2;
  }
  asio::io_context io;
  flowtrack::client c{io, {.write_key = "crash-test", .endpoint = argv[2], .spool_dir = argv[1], .write_ahead = true}};
  const int n = std::atoi(argv[3]);
  for (int i = 0; i < n; ++i) {
    if (c.track({.user_id = "crash", .event = "Before Crash", .properties = {{"i", i}}})) return 1;
  }
  io.run_for(std::chrono::milliseconds(20));  // let a send start, so a batch is in flight when we die
  std::printf("tracked %d\n", n);
  std::fflush(stdout);
  std::raise(SIGKILL);
  return 3;
}
