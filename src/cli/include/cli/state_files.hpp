// The small files CLI telemetry keeps in its state directory (all 0600, directory 0700):
// `anonymous_id` (created once, reused by every run), `settings.json` ({"enabled": bool}) and
// `notice_shown` (the first-run notice was shown: the next runs send).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <system_error>

namespace flowtrack::cli::detail {

/// The id in `dir/anonymous_id`, creating it (a UUIDv4) when missing. When the directory is
/// not writable: a fresh id, not persisted (`persisted` false).
std::string load_or_create_anonymous_id(const std::filesystem::path& dir, bool& persisted);
/// The id if the file exists and is valid; empty otherwise. Never creates anything.
std::string read_anonymous_id(const std::filesystem::path& dir);

/// The persisted enable/disable choice; nullopt when never set (or unreadable).
std::optional<bool> read_enabled_setting(const std::filesystem::path& dir);
std::error_code write_enabled_setting(const std::filesystem::path& dir, bool enabled);

/// The first-run notice mark: present once the notice was shown.
bool notice_shown(const std::filesystem::path& dir);
std::error_code write_notice_mark(const std::filesystem::path& dir);

/// Writes `content` to `path` atomically (temp file + rename), mode 0600.
std::error_code write_private_file(const std::filesystem::path& path, const std::string& content);

}  // namespace flowtrack::cli::detail
