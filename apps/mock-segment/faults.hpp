// Scripted faults: what one ingest request gets instead of a normal answer (a status, a delay,
// or a transport-level action such as dropping or resetting the connection).
#pragma once

#include <optional>
#include <string>

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <nlohmann/json.hpp>

namespace mock_segment {

/// One scripted response, consumed by one ingest request.
struct fault {
  int status = 0;        ///< 0: answer normally (after delay_ms)
  int retry_after = -1;  ///< seconds, sent as Retry-After with status
  int delay_ms = 0;      ///< wait this long before answering (or before the action)
  std::string action;    ///< "", "close", "blackhole", "reset", "garbage", "truncate"
  nlohmann::json to_json() const;
  /// Parses {"status":503}, {"status":429,"retry_after":2}, {"delay_ms":1500}, {"action":"close"}...
  /// nullopt with `error` set for anything else.
  static std::optional<fault> from_json(const nlohmann::json& j, std::string& error);
};

/// Performs a transport-level fault on a connection whose request has been read; the socket is
/// closed when it completes ("blackhole" completes only when the peer goes or the socket is closed).
asio::awaitable<void> apply_fault_action(asio::ip::tcp::socket& socket, const std::string& action);

}  // namespace mock_segment
