// Small files a CLI keeps in its state directory (credentials, caches, marks), read and written
// the way flowtrack keeps its own: a user's state directory may hold anything at any path (a
// FIFO, a directory, a symlink into a shared folder, a file of gigabytes), and a command must
// neither hang, nor crash, nor follow it.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

namespace flowtrack::cli {

/// Reads `path` into `out` if it is a regular file of at most `max_bytes`.
/// Errors: std::errc::no_such_file_or_directory (nothing there); flowtrack::errc::not_regular_file
/// (a FIFO, socket, device, directory or symlink: not opened for reading, not followed, left as
/// it is); flowtrack::errc::file_too_large (over `max_bytes`: `out` empty); flowtrack::errc::spool_io
/// (any other failure). Never throws, never blocks (a FIFO is refused, not waited on).
std::error_code read_state_file(const std::filesystem::path& path, std::size_t max_bytes, std::string& out) noexcept;

/// Replaces `path` with `content` atomically (a temporary file in the same directory, then
/// rename), mode 0600 whatever the umask or the old file's mode. A symlink at `path` is
/// replaced, never written through. The parent directory is created 0700 when missing; an
/// existing one keeps its mode. Errors: flowtrack::errc::spool_io. Never throws.
std::error_code write_state_file(const std::filesystem::path& path, std::string_view content) noexcept;

}  // namespace flowtrack::cli
