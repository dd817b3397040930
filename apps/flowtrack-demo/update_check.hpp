// The update notifier: asks a version URL (GET, JSON {"version":"x.y.z"}) within a short
// timeout and tells whether a newer version exists. Never throws; any failure means "no".
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <asio/awaitable.hpp>

namespace demo {

/// The newer version, or nullopt (same or older, unreachable, slow, malformed).
asio::awaitable<std::optional<std::string>> check_for_update(std::string url, std::string current_version,
                                                             std::chrono::milliseconds timeout);

/// True when dotted version `a` is newer than `b` ("1.10.0" > "1.9.3").
bool newer_version(const std::string& a, const std::string& b);

}  // namespace demo
