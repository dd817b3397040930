// Starting a detached process safely from a program with threads: posix_spawn (a fresh process
// image, never a fork that goes on running library code), its own session, stdin a pipe
// holding `input` (then end of file), stdout and stderr on /dev/null, `/` as its directory, no
// inherited descriptor except `keep_fd` (as descriptor 3), default signal dispositions and an
// empty signal mask. Reaped by a detached thread, so a long-lived parent keeps no zombie and a
// CLI that exits does not wait for it.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace flowtrack::cli::detail {

/// The descriptor number keep_fd gets in the child.
inline constexpr int detached_kept_fd = 3;

/// `input` must fit in a pipe's buffer (64 KiB on Linux): it is written before the spawn, so
/// the parent never blocks and never gets SIGPIPE. keep_fd: -1 for none.
/// Errors: the system's (std::generic_category) from pipe2, posix_spawn (ENOENT: no program...).
std::error_code spawn_detached(const std::filesystem::path& program, const std::vector<std::string>& args,
                               std::string_view input, int keep_fd, long& pid);

/// The program's own executable (/proc/self/exe resolved), empty when unknown.
std::filesystem::path own_executable();

}  // namespace flowtrack::cli::detail
