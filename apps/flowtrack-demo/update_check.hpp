// The update notifier: asks a version URL (GET, JSON {"version":"x.y.z"}) within a short
// timeout and tells whether a newer version exists. Never throws; any failure means "no".
// It asks the telemetry host, so every telemetry opt-out stops it too, and it has its own
// (FLOWTRACK_NO_UPDATE_NOTIFIER): see update_check_url().
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <asio/awaitable.hpp>
#include <flowtrack/cli/environment.hpp>
#include <flowtrack/cli/telemetry.hpp>

namespace demo {

/// Where the check asks, or empty when it must not run: FLOWTRACK_NO_UPDATE_NOTIFIER,
/// DO_NOT_TRACK or FLOWTRACK_TELEMETRY_DISABLED set, telemetry disabled by the setting, or
/// the first-run notice still pending (that invocation requests nothing at all). Else
/// FLOWTRACK_UPDATE_URL ("off": none), else $FLOWTRACK_ENDPOINT/cli/latest-version, else none.
/// Pure given `env`.
std::string update_check_url(const flowtrack::cli::env_lookup& env, flowtrack::cli::telemetry_state state);

/// The newer version, or nullopt (same or older, unreachable, slow, malformed).
asio::awaitable<std::optional<std::string>> check_for_update(std::string url, std::string current_version,
                                                             std::chrono::milliseconds timeout);

}  // namespace demo
