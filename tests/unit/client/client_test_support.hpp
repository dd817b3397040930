// Helpers for coroutine tests of flowtrack::client: run a coroutine on an io_context bounded
// by run_for, and read what the loopback server received.
#pragma once

#include <algorithm>
#include <chrono>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "common/engine_clock.hpp"
#include "flowtrack/config.hpp"
#include "flowtrack/message.hpp"
#include "loopback_server.hpp"

namespace flowtrack::test {

/// The client configuration the coroutine tests start from: `url`'s server, no periodic flush
/// (tests flush or close explicitly), retries 1-5 ms apart.
inline config unit_test_config(const std::string& url, std::string write_key = "test-key") {
  config c;
  c.write_key = std::move(write_key);
  c.endpoint = url;
  c.flush_interval = std::chrono::hours(1);
  c.retry.base_delay = std::chrono::milliseconds(1);
  c.retry.max_delay = std::chrono::milliseconds(5);
  return c;
}

/// Event number `i` (its properties hold {"i": i}, so what arrives can be checked by index).
inline track_message numbered_event(int i) { return {.user_id = "u", .event = "E", .properties = {{"i", i}}}; }

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

/// Runs `body` on `io` on virtual time (a detail::virtual_time must be alive): whatever is
/// ready runs; when nothing is and no request is in progress, virtual time moves by `idle_step`
/// (nothing can happen before a timer); while a request is in progress and the socket stays
/// quiet for 1 ms of real time, it moves by 1 ms, then 2, 4... up to `io_step` while the quiet
/// lasts (so a black hole or a blocked read still meets its virtual deadline, up to 20 times
/// faster than real time, and a reply on its way costs a few virtual ms). Returns true when the coroutine
/// finished (rethrowing its exception, if any) within `real_limit`.
template <class F>
bool run_virtual(asio::io_context& io, F body, std::chrono::milliseconds real_limit = std::chrono::seconds(10),
                 std::chrono::milliseconds idle_step = std::chrono::milliseconds(1),
                 std::chrono::milliseconds io_step = std::chrono::milliseconds(20)) {
  bool finished = false;
  std::exception_ptr error;
  asio::co_spawn(io, std::move(body), [&](std::exception_ptr e) {
    finished = true;
    error = e;
  });
  const auto give_up = std::chrono::steady_clock::now() + real_limit;
  auto quiet_step = std::chrono::milliseconds(1);
  while (!finished && !io.stopped() && std::chrono::steady_clock::now() < give_up) {
    if (io.poll() > 0) {
      quiet_step = std::chrono::milliseconds(1);
      continue;
    }
    if (detail::engine_clock::io_in_progress() == 0) {
      detail::virtual_time::advance(idle_step);
    } else if (io.run_one_for(std::chrono::milliseconds(1)) == 0) {
      detail::virtual_time::advance(quiet_step);
      quiet_step = std::min(quiet_step * 2, io_step);
    } else {
      quiet_step = std::chrono::milliseconds(1);
    }
  }
  // Let what the coroutine's end set going (senders finishing, the client's loops) run out.
  for (int i = 0; i < 100 && !io.stopped(); ++i) {
    if (io.poll() == 0) detail::virtual_time::advance(idle_step);
  }
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
