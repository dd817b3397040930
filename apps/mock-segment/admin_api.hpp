// The inspection and control API (/admin/...), the live page (/) and the update-check answer
// (/cli/latest-version). None of them needs auth, and faults and modes never apply to them.
#pragma once

#include <chrono>
#include <optional>

#include "http/http_codec.hpp"
#include "store.hpp"

namespace mock_segment {

struct admin_reply {
  flowtrack::http::response response;
  std::chrono::milliseconds delay{0};  ///< answer after this long (the update check's delay)
};

/// Handles the request when its path belongs to the admin surface; nullopt otherwise.
std::optional<admin_reply> handle_admin(const flowtrack::http::request& req, store& s);

}  // namespace mock_segment
