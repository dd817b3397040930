// The facade's close with the handoff: plan (handoff_policy), close the client for the grace,
// then start a drainer with what was spooled (or leave it to the running one).
#pragma once

#include <chrono>
#include <filesystem>
#include <iosfwd>
#include <string>

#include <asio/awaitable.hpp>

#include "flowtrack/cli/event_sink.hpp"
#include "flowtrack/cli/handoff.hpp"
#include "flowtrack/config.hpp"
#include "flowtrack/stats.hpp"

namespace flowtrack::cli::detail {

struct handoff_context {
  handoff_options options;        ///< with the environment's overrides applied
  std::filesystem::path state_dir;
  config client;                  ///< what the drainer gets (write key, endpoint, spool_dir...)
  std::ostream* debug = nullptr;  ///< DEBUG=1: one line per close on what was done and why
  std::string app_name;
};

/// Closes `sink` (the client sink over `ctx.client`) within `timeout`, handing off what the
/// grace leaves. `outcome` says what was done.
asio::awaitable<close_report> close_with_handoff(event_sink& sink, const handoff_context& ctx,
                                                 std::chrono::milliseconds timeout, handoff_outcome& outcome);

}  // namespace flowtrack::cli::detail
