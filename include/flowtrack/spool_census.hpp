// What waits in a spool directory (config::spool_dir), read without claiming anything: for a
// status page, or a program deciding whether a later delivery is still due.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>

namespace flowtrack {

struct spool_census {
  std::size_t files = 0;            ///< regular `.spool` files read
  std::uint64_t bytes = 0;
  std::size_t pending_events = 0;   ///< messages in them that no file acknowledges
  std::size_t unreadable = 0;       ///< `.spool` entries not read: not regular files, unreadable
  std::size_t locked_by_others = 0; ///< files a live client holds (only with skip_locked)
};

/// Counts the spool files in `dir` and the messages in them not yet acknowledged. Never blocks
/// (a locked file is not waited for), never follows a symlink, reads at most `max_bytes` of a
/// file; a missing or unreadable directory is an empty census. `skip_locked`: leave out (and
/// count) the files a live client holds locked: what it has is its own to deliver or spool.
/// Acknowledgements count across all files read. Thread-safe; does blocking file I/O.
spool_census take_spool_census(const std::filesystem::path& dir, bool skip_locked,
                               std::uint64_t max_bytes = 64u << 20);

}  // namespace flowtrack
