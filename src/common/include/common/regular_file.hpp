#pragma once
// Reading the files a client or CLI keeps (spool files, anonymous_id, settings.json...) when
// anyone may have put anything at their path: only a regular file is read, never through a
// symlink, never blocking on a FIFO, and never more than a cap.

#include <cstddef>
#include <filesystem>
#include <string>
#include <system_error>

namespace flowtrack::detail {

/// Opens `path` with `flags` (O_RDONLY or O_RDWR; O_NOFOLLOW, O_NONBLOCK and O_CLOEXEC are
/// added) and returns the descriptor in `fd`, only if it is a regular file. Errors:
/// std::errc::no_such_file_or_directory (nothing there), errc::not_regular_file (a FIFO,
/// socket, device, directory or symlink: nothing is read from it and it is left alone),
/// errc::spool_io (any other failure to open). Never throws, never blocks.
std::error_code open_regular_file(const std::filesystem::path& path, int flags, int& fd) noexcept;

/// Reads at most `max_bytes` from the open descriptor `fd` into `out` (replaced). `truncated`
/// says there was more. Errors: errc::spool_io (read failed). Never throws: an allocation
/// failure is a spool_io error too.
std::error_code read_at_most(int fd, std::size_t max_bytes, std::string& out, bool& truncated) noexcept;

/// A whole small file, by the rules above: the errors of open_regular_file, and
/// errc::file_too_large when it holds more than `max_bytes` (`out` then empty).
std::error_code read_regular_file(const std::filesystem::path& path, std::size_t max_bytes,
                                  std::string& out) noexcept;

}  // namespace flowtrack::detail
