// Helpers for coroutine tests of flowtrack::client: run a coroutine on an io_context bounded
// by run_for, and read what the loopback server received.
#pragma once

#include <chrono>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "loopback_server.hpp"

namespace flowtrack::test {

/// Runs `body` as a coroutine on `io` until io.run_for(limit) returns. Returns true when the
/// coroutine finished (rethrowing its exception, if any) and io has no work left.
template <class F>
bool run_coroutine(asio::io_context& io, F body, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  bool finished = false;
  std::exception_ptr error;
  asio::co_spawn(io, std::move(body), [&](std::exception_ptr e) {
    finished = true;
    error = e;
  });
  io.run_for(limit);
  if (error) std::rethrow_exception(error);
  return finished;
}

/// Every message of every batch the server received, in arrival order.
inline std::vector<nlohmann::json> received_messages(const loopback_server& server) {
  std::vector<nlohmann::json> out;
  for (const auto& r : server.requests()) {
    auto body = nlohmann::json::parse(r.request.body, nullptr, false);
    if (!body.is_object() || !body.contains("batch")) continue;
    for (auto& m : body["batch"]) out.push_back(m);
  }
  return out;
}

}  // namespace flowtrack::test
