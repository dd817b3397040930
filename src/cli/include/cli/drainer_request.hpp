// What a drainer is told, as one JSON document on its stdin: the client settings it needs (the
// write key among them, so never on a command line or in a file), the state directory and its
// lifetime. Callbacks (logger, on_delivery) do not cross processes.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include "flowtrack/config.hpp"

namespace flowtrack::cli::detail {

struct drainer_request {
  config client;                      ///< spool_dir set: the directory drained
  std::filesystem::path state_dir;    ///< where drainer.lock and the handoff mark are
  std::chrono::milliseconds lifetime{60000};
};

std::string serialize(const drainer_request& r);
/// Errors: errc::invalid_config (not JSON, a field missing or of the wrong type, no write key,
/// no spool directory, a lifetime out of (0, 24 h]).
std::error_code parse_drainer_request(std::string_view text, drainer_request& out);

/// The client settings a drainer uses: those of `parent`, but retrying until its close cuts it
/// (no attempt limit or budget of its own), with short request timeouts and backoff so a
/// recovered endpoint is noticed within a few seconds.
config drainer_client_config(const config& parent);

/// Whether run_drainer_if_requested() was called in this process (so it may be its own drainer).
bool drainer_hook_called() noexcept;

}  // namespace flowtrack::cli::detail
