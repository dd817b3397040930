// The inspection and control API (/admin/...), the live page (/) and the update-check answer
// (/cli/latest-version). Faults and modes never apply to them. A request that changes state
// (POST, DELETE, PUT on /admin/...) is refused when a web page could have sent it: it must
// carry Content-Type: application/json (a page's cross-origin form or text/plain POST cannot,
// without a preflight mock-segment never answers), and an Origin header, if any, must be the
// server's own (403 otherwise); with --admin-token it must also carry
// `Authorization: Bearer TOKEN` (401 otherwise). Reads (GET) stay open.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "http/http_codec.hpp"
#include "store.hpp"

namespace mock_segment {

struct admin_reply {
  flowtrack::http::response response;
  std::chrono::milliseconds delay{0};  ///< answer after this long (the update check's delay)
};

/// Why a state-changing admin request is refused (403, 415 or 401), by the rules above;
/// nullopt when it may proceed (or is not state-changing). `token` empty: no token required.
std::optional<flowtrack::http::response> admin_request_refusal(const flowtrack::http::request& req,
                                                                std::string_view token);

/// Handles the request when its path belongs to the admin surface; nullopt otherwise.
/// `token`: the --admin-token (empty: none).
std::optional<admin_reply> handle_admin(const flowtrack::http::request& req, store& s, std::string_view token = {});

}  // namespace mock_segment
