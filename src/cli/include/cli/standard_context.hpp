// Segment's standard context fields for a CLI: what an analytics pipeline reads without knowing
// this CLI's own properties.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

namespace flowtrack::cli::detail {

/// `base` (the client's default_context, may be empty) with `app` = {name, version} and
/// `os` = {name, version} (uname's sysname and release; "unknown" when uname fails) set, and
/// everything else `base` has kept; `library` is the client's own (it adds flowtrack's). The CLI
/// layer sends it as the batch context, which Segment merges into every message of the batch.
nlohmann::json standard_context(nlohmann::json base, std::string_view app_name, std::string_view app_version);

}  // namespace flowtrack::cli::detail
