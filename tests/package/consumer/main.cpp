// Builds against the installed package and runs a client end to end: an invalid message is
// refused, and close() with nothing to send returns at once. It names Asio's deprecated
// asio::io_service on purpose: the package must not impose ASIO_NO_DEPRECATED on its users.
#include <chrono>
#include <iostream>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_service.hpp>  // deprecated: declared only without ASIO_NO_DEPRECATED
#include <flowtrack/client.hpp>

int main() {
  asio::io_service io;  // deprecated alias of io_context: still available to a consumer
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
