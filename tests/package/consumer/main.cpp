// Builds against the installed package and runs a client end to end: an invalid message is
// refused, and close() with nothing to send returns at once.
#include <chrono>
#include <iostream>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <flowtrack/client.hpp>

int main() {
  asio::io_context io;
  flowtrack::client c{io, {.write_key = "k", .endpoint = "http://127.0.0.1:9"}};
  if (c.track({.user_id = "u", .event = ""}) != flowtrack::errc::invalid_message) return 1;
  bool closed = false;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    auto report = co_await c.async_close(std::chrono::seconds(1));
    closed = !report.deadline_reached;
  }, asio::detached);
  io.run();
  std::cout << "consumer: flowtrack " << flowtrack::library_version() << (closed ? " ok" : " failed") << '\n';
  return closed ? 0 : 1;
}
