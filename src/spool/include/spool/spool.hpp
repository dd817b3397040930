// The durable spool: a directory of append-only, checksummed files, one per client (process).
//
// A client appends what it could not deliver (or, with write-ahead, everything it accepts) to
// its own file, which it holds locked (flock) for its whole life. A client that starts claims
// every file no live client holds, oldest first, and replays their messages; a claimed file is
// deleted once its messages are settled or re-spooled. One client replays a directory at a time
// (it holds `replay.lock`), so claimed files hold no descriptors: a backlog of thousands of
// files needs three at the most (the replay lock, the own file, the one being read). Only
// regular files are read (never a FIFO, device, directory or symlink), each at most max_bytes.
// Files are 0600 in a 0700 directory: telemetry may hold user ids.
//
// Not thread-safe: used from the client's strand (and once, synchronously, at construction).
#pragma once

#include "flowtrack/spool_census.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace flowtrack::detail {

struct spool_limits {
  std::uint64_t max_bytes = 16u << 20;           ///< all files together; oldest files go first
  std::chrono::seconds max_age = std::chrono::hours(24 * 7);
};

/// What claim() found.
struct spool_claim {
  std::vector<std::string> messages;   ///< to replay, oldest first; none that any file acknowledged
  std::size_t files = 0;
  std::uint64_t acknowledged = 0;      ///< messages skipped: an ack record (in any file) names them
  std::uint64_t corrupt_bytes = 0;     ///< torn/corrupt tails skipped
  std::uint64_t expired = 0;           ///< messages in files older than max_age, dropped
  std::uint64_t over_cap = 0;          ///< messages in the oldest files dropped to honour max_bytes
  std::uint64_t corrupt_records = 0;   ///< corrupt regions skipped (the reader resyncs after each)
  std::size_t locked_by_others = 0;    ///< files a live client holds, left alone
  std::size_t not_regular = 0;         ///< `.spool` entries that are not regular files, left alone
  bool replay_in_progress = false;     ///< another client holds the replay lock: nothing claimed
};

/// How sync_until() ended.
enum class sync_outcome {
  synced,         ///< the own file is on disk (or there is none)
  failed,         ///< fdatasync failed (errc::spool_io)
  in_background,  ///< not done by the deadline: it goes on in a thread of its own
};

class spool {
 public:
  /// Flushes a file descriptor to disk, 0 or -1 like fdatasync(2): a stand-in for tests.
  using sync_function = std::function<int(int)>;

  /// `sync` empty (the default): fdatasync(2).
  spool(std::filesystem::path dir, spool_limits limits, sync_function sync = {});
  ~spool();  ///< closes its own file (kept if it holds messages) and releases claims
  spool(const spool&) = delete;
  spool& operator=(const spool&) = delete;

  /// Creates the directory if needed. Errors: errc::spool_io (not creatable/writable).
  std::error_code open();

  /// Claims and reads every file no live client holds (its own excepted).
  /// Errors: errc::spool_io when the directory cannot be listed.
  std::error_code claim(spool_claim& out);

  /// Deletes the files claim() took (after their messages were settled or re-spooled), and
  /// releases the replay lock.
  void delete_claimed();
  /// Releases the files claim() took without deleting them (re-spooling them failed: the next
  /// run replays them again; messageIds make the repeats harmless), and the replay lock.
  void release_claimed();

  /// Appends messages / an acknowledgement to this client's own file (created 0600 on first
  /// use). One write() per call. Messages are written in order while they fit under
  /// max_bytes; `written` says how many. Errors: errc::spool_io (disk full, read-only...),
  /// errc::spool_full (some did not fit).
  std::error_code append_messages(const std::vector<std::string_view>& messages, std::size_t& written);
  std::error_code append_messages(const std::vector<std::string_view>& messages) {
    std::size_t written = 0;
    return append_messages(messages, written);
  }
  std::error_code append_ack(const std::vector<std::string_view>& message_ids);
  /// Flushes the own file to disk (fdatasync), waiting for it until `deadline` at the most: a
  /// disk under load can take seconds, and a close must not outlive its deadline. A sync still
  /// running then completes in a detached thread on a descriptor of its own. What was
  /// written already survives the process's exit and kill -9 (it is in the page cache); only an
  /// operating-system crash before the sync completes could lose it.
  sync_outcome sync_until(std::chrono::steady_clock::time_point deadline);

  /// Deletes this client's own file (everything in it was settled).
  void remove_own_file();
  /// Closes the own file (kept when it holds records, deleted when it is empty) and the replay
  /// lock, so a closed client holds no descriptor and no lock: another process (the next run, a
  /// drainer) can claim its file at once, while this process lives on. Nothing is appended after.
  void close_files();

  bool has_own_file() const noexcept { return own_fd_ >= 0; }
  /// Whether this client appended messages (not only acknowledgements) to its own file.
  bool own_file_holds_messages() const noexcept { return own_fd_ >= 0 && own_messages_ > 0; }
  /// The system's reason for the first failure (ENOSPC, EIO, EROFS, EACCES... as
  /// std::generic_category codes); empty while nothing failed.
  std::error_code first_system_error() const noexcept { return last_error_; }
  const std::filesystem::path& directory() const noexcept { return dir_; }

 private:
  std::error_code append(const std::string& bytes);
  void note_errno();
  std::error_code last_error_;
  std::error_code ensure_own_file();
  std::uint64_t directory_bytes() const;
  std::uint64_t others_bytes_ = 0;  // other files' size, measured at open() and claim()

  std::filesystem::path dir_;
  spool_limits limits_;
  sync_function sync_;
  int own_fd_ = -1;
  std::filesystem::path own_path_;
  std::uint64_t own_bytes_ = 0;
  std::uint64_t own_messages_ = 0;
  std::vector<std::filesystem::path> claimed_;
  int replay_lock_fd_ = -1;
  bool files_closed_ = false;
};

using flowtrack::spool_census;
using flowtrack::take_spool_census;

}  // namespace flowtrack::detail
