// The accept loop of the in-process test servers (tests/unit/client/loopback_server.cpp,
// tests/support/test_proxy.cpp): a coroutine on the acceptor's executor that takes connections
// until accepting fails (the acceptor closed, or its io_context stopped) and hands each socket
// to the server.
#pragma once

#include <utility>

#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/use_awaitable.hpp>

namespace flowtrack::test {

/// Spawns the loop on `acceptor`'s executor; `on_connection(asio::ip::tcp::socket)` runs there,
/// once per accepted connection, and starts whatever serves it (it must not block).
template <class OnConnection>
void spawn_accept_loop(asio::ip::tcp::acceptor& acceptor, OnConnection on_connection) {
  asio::co_spawn(
      acceptor.get_executor(),
      [&acceptor, on_connection = std::move(on_connection)]() mutable -> asio::awaitable<void> {
        for (;;) {
          auto [ec, socket] = co_await acceptor.async_accept(asio::experimental::as_tuple(asio::use_awaitable));
          if (ec) co_return;
          on_connection(std::move(socket));
        }
      },
      asio::detached);
}

}  // namespace flowtrack::test
