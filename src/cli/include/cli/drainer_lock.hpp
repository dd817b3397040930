// The state directory's `drainer.lock`: held (an open-file-description lock, F_OFD_SETLK) by the
// one drainer that delivers the directory's spool. The close that starts a drainer takes it
// first and passes the locked descriptor to the child, so there is never a moment with two
// drainers or none holding it; a close that cannot take it leaves its events to the holder.
// Probing (F_OFD_GETLK) takes no lock. The file holds the holder's pid, for `telemetry status`.
//
// Also the handoff mark, `handoff_pending`: written when a close hands events to a drainer,
// removed by the drainer that leaves the spool empty. While it is there the network is known to
// be bad, and a close skips its grace.
#pragma once

#include <filesystem>
#include <system_error>

#include "flowtrack/cli/handoff.hpp"

namespace flowtrack::cli::detail {

/// `state_dir/drainer.lock`: the lock file's path.
std::filesystem::path drainer_lock_path(const std::filesystem::path& state_dir);
/// Opens (creating, 0600) and locks `state_dir/drainer.lock` without waiting. `fd` is the
/// locked descriptor (CLOEXEC), or -1 with `taken` false when another process holds it.
/// Errors: the system's when the file cannot be opened (not a regular file: errc::not_regular_file).
std::error_code try_take_drainer_lock(const std::filesystem::path& state_dir, int& fd, bool& taken);
/// Writes `pid` into the lock file (held through `fd`).
void record_drainer_pid(int fd, long pid);

bool handoff_mark_present(const std::filesystem::path& state_dir);
void write_handoff_mark(const std::filesystem::path& state_dir);
void remove_handoff_mark(const std::filesystem::path& state_dir);

}  // namespace flowtrack::cli::detail
