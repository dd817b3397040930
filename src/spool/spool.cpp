#include "spool/spool.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <future>
#include <random>
#include <thread>
#include <unordered_set>

#include "common/regular_file.hpp"
#include "flowtrack/error.hpp"
#include "spool/spool_io.hpp"
#include "spool/spool_format.hpp"

namespace flowtrack::detail {

spool_io_calls& spool_io() noexcept {
  static spool_io_calls calls{::write, ::fdatasync, ::unlink};
  return calls;
}

namespace {

constexpr std::string_view spool_suffix = ".spool";
// Held (flock) by the client replaying the spool: one replayer per directory at a time, so a
// claimed file needs no descriptor of its own while its messages are replayed.
constexpr std::string_view replay_lock_name = "replay.lock";

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = spool_io().write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

std::string unique_file_name() {
  // Sortable by creation time: replay goes oldest first.
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now).count();
  char name[96];
  std::snprintf(name, sizeof name, "%020lld-%d-%08x%.*s", static_cast<long long>(micros), static_cast<int>(::getpid()),
                static_cast<unsigned>(std::random_device{}()), static_cast<int>(spool_suffix.size()),
                spool_suffix.data());
  return name;
}

}  // namespace

spool::spool(std::filesystem::path dir, spool_limits limits, sync_function sync)
    : dir_(std::move(dir)),
      limits_(limits),
      sync_(sync ? std::move(sync) : sync_function([](int fd) { return spool_io().fdatasync(fd); })) {}

spool::~spool() { close_files(); }

void spool::close_files() {
  files_closed_ = true;
  if (own_fd_ >= 0) {
    ::close(own_fd_);
    own_fd_ = -1;
    if (own_bytes_ <= spool_magic.size()) {
      std::error_code ignored;
      std::filesystem::remove(own_path_, ignored);
    }
  }
  if (replay_lock_fd_ >= 0) ::close(replay_lock_fd_);
  replay_lock_fd_ = -1;
}

std::error_code spool::open() {
  std::error_code ec;
  // Only a directory created here is made 0700: an existing one (a symlink to a shared 1777
  // folder, a directory its owner chose a mode for) is left as it is.
  if (std::filesystem::create_directories(dir_, ec)) ::chmod(dir_.c_str(), 0700);
  if (ec) {
    if (!last_error_) last_error_ = ec;
    return errc::spool_io;
  }
  if (::access(dir_.c_str(), W_OK | X_OK) != 0) {
    note_errno();
    return errc::spool_io;
  }
  others_bytes_ = directory_bytes();
  return {};
}

std::error_code spool::claim(spool_claim& out) {
  if (replay_lock_fd_ < 0) {
    const auto lock_path = dir_ / replay_lock_name;
    replay_lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
    if (replay_lock_fd_ < 0) return errc::spool_io;
    if (::flock(replay_lock_fd_, LOCK_EX | LOCK_NB) != 0) {  // another client is replaying
      ::close(replay_lock_fd_);
      replay_lock_fd_ = -1;
      out.replay_in_progress = true;
      return {};
    }
  }
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (auto it = std::filesystem::directory_iterator(dir_, ec); !ec && it != std::filesystem::directory_iterator();
       it.increment(ec)) {
    const auto& p = it->path();
    if (p.extension() == spool_suffix && p != own_path_) files.push_back(p);
  }
  if (ec) return errc::spool_io;
  std::sort(files.begin(), files.end());  // names start with the creation time

  struct loaded {
    std::filesystem::path path;
    spool_contents contents;
    std::uint64_t size;
  };
  std::vector<loaded> taken;
  const auto now = std::filesystem::file_time_type::clock::now();
  for (const auto& path : files) {
    // One descriptor at a time, whatever the backlog: the file's own lock only tells whether a
    // live client writes it; the replay lock keeps other replayers away once it is closed.
    int fd = -1;
    if (auto open_ec = open_regular_file(path, O_RDWR, fd)) {
      if (open_ec == errc::not_regular_file) ++out.not_regular;  // a FIFO, directory, symlink...: left alone
      continue;  // or deleted meanwhile by the client that claimed it
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd);
      ++out.locked_by_others;
      continue;
    }
    // The file may have been replayed and deleted between our listing and our lock.
    struct stat st{};
    if (::fstat(fd, &st) != 0 || st.st_nlink == 0) {
      ::close(fd);
      continue;
    }
    // At most the spool's cap from one file: a file larger than the whole spool may hold is
    // read to the cap, and the rest counts as corrupt.
    std::string bytes;
    bool truncated = false;
    const auto read_ec = read_at_most(fd, static_cast<std::size_t>(limits_.max_bytes), bytes, truncated);
    ::close(fd);
    if (read_ec) continue;
    loaded l{path, parse_spool(bytes), bytes.size()};
    out.corrupt_bytes += l.contents.corrupt_bytes;
    out.corrupt_records += l.contents.corrupt_records;
    if (truncated && static_cast<std::uint64_t>(st.st_size) > bytes.size())
      out.corrupt_bytes += static_cast<std::uint64_t>(st.st_size) - bytes.size();
    std::error_code time_ec;
    const auto written = std::filesystem::last_write_time(path, time_ec);
    if (!time_ec && now - written > limits_.max_age) {
      out.expired += l.contents.messages.size();
      l.contents.messages.clear();
    }
    taken.push_back(std::move(l));
  }
  // Acknowledgements apply across files: a run that replayed these files and was killed left
  // its progress marks in its own file.
  std::unordered_set<std::string> acked;
  for (const auto& l : taken)
    for (const auto& id : l.contents.acknowledged_ids) acked.insert(id);
  if (!acked.empty()) {
    for (auto& l : taken) {
      auto& m = l.contents.messages;
      const auto before = m.size();
      m.erase(std::remove_if(m.begin(), m.end(),
                             [&](const std::string& json) { return acked.contains(std::string(spooled_message_id(json))); }),
              m.end());
      out.acknowledged += before - m.size();
    }
  }
  // Honour the byte cap by dropping the oldest files' messages first.
  std::uint64_t total = 0;
  for (const auto& l : taken) total += l.size;
  for (auto& l : taken) {
    if (total <= limits_.max_bytes) break;
    out.over_cap += l.contents.messages.size();
    l.contents.messages.clear();
    total -= l.size;
  }
  std::uint64_t claimed_bytes = 0;
  for (auto& l : taken) {
    for (auto& m : l.contents.messages) out.messages.push_back(std::move(m));
    claimed_.push_back(std::move(l.path));
    claimed_bytes += l.size;
    ++out.files;
  }
  // The claimed files are on their way out (deleted once settled or re-spooled): the cap does
  // not count them, or re-spooling a backlog near the cap at close would not fit beside itself.
  others_bytes_ = std::max(directory_bytes(), own_bytes_ + claimed_bytes) - own_bytes_ - claimed_bytes;
  return {};
}

void spool::delete_claimed() {
  for (auto& path : claimed_) spool_io().unlink(path.c_str());  // still under the replay lock
  claimed_.clear();
  release_claimed();
  const std::uint64_t own = own_fd_ >= 0 ? own_bytes_ : 0;
  others_bytes_ = std::max(directory_bytes(), own) - own;
}

void spool::release_claimed() {
  const bool kept = !claimed_.empty();
  claimed_.clear();
  if (replay_lock_fd_ >= 0) ::close(replay_lock_fd_);
  replay_lock_fd_ = -1;
  if (kept) {  // they stay: they count again
    const std::uint64_t own = own_fd_ >= 0 ? own_bytes_ : 0;
    others_bytes_ = std::max(directory_bytes(), own) - own;
  }
}

std::uint64_t spool::directory_bytes() const {
  std::uint64_t total = 0;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator(dir_, ec); !ec && it != std::filesystem::directory_iterator();
       it.increment(ec)) {
    std::error_code size_ec;
    if (it->path().extension() == spool_suffix) total += it->file_size(size_ec);
  }
  return total;
}

std::error_code spool::ensure_own_file() {
  if (own_fd_ >= 0) return {};
  if (files_closed_) return errc::spool_io;  // closed: nothing more is written
  own_path_ = dir_ / unique_file_name();
  // Created under a name no claimer lists, locked, then renamed into place: a `.spool` file is
  // never seen unlocked while its writer lives. (Created in place, a claimer could open and lock
  // it between our open() and flock(), read it empty, and later delete it with what we wrote.)
  const auto creating = std::filesystem::path(own_path_).concat(".new");
  int fd = ::open(creating.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    note_errno();
    return errc::spool_io;
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0 || !write_all(fd, spool_magic) || ::rename(creating.c_str(), own_path_.c_str()) != 0) {
    note_errno();
    ::close(fd);
    std::error_code ignored;
    std::filesystem::remove(creating, ignored);
    return errc::spool_io;
  }
  own_fd_ = fd;
  own_bytes_ = spool_magic.size();
  return {};
}

std::error_code spool::append(const std::string& bytes) {
  if (auto ec = ensure_own_file()) return ec;
  if (!write_all(own_fd_, bytes)) {
    note_errno();
    // A partial record is a torn tail the reader skips; keep appending after it is not safe.
    ::ftruncate(own_fd_, static_cast<off_t>(own_bytes_));
    return errc::spool_io;
  }
  own_bytes_ += bytes.size();
  return {};
}

std::error_code spool::append_messages(const std::vector<std::string_view>& messages, std::size_t& written) {
  written = 0;
  // The cap counts this file and the others as measured at open/claim: no directory scan per
  // append (a write-ahead append is one write() call). Others' growth meanwhile is not seen.
  std::uint64_t used = others_bytes_ + (own_fd_ < 0 ? spool_magic.size() : own_bytes_);
  std::string bytes;
  std::size_t fitting = 0;
  for (auto m : messages) {
    if (used + bytes.size() + spool_record_header + m.size() > limits_.max_bytes) break;
    append_spool_record(bytes, spool_record_kind::message, m);
    ++fitting;
  }
  if (fitting > 0) {
    if (auto ec = append(bytes)) return ec;
    written = fitting;
    own_messages_ += fitting;
  }
  return fitting < messages.size() ? std::error_code(errc::spool_full) : std::error_code{};
}

std::error_code spool::append_ack(const std::vector<std::string_view>& message_ids) {
  std::string payload;
  for (auto id : message_ids) {
    payload.append(id);
    payload.push_back('\n');
  }
  std::string bytes;
  append_spool_record(bytes, spool_record_kind::ack, payload);
  return append(bytes);
}

sync_outcome spool::sync_until(std::chrono::steady_clock::time_point deadline) {
  if (own_fd_ < 0) return sync_outcome::synced;
  // The thread owns a descriptor of its own and the promise: it may outlive this object. Not a
  // dup(): that would share the file's flock and keep the next client from claiming the file
  // until the sync is done.
  const int fd = ::open(own_path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return sync_outcome::failed;
  std::promise<int> done;  // 0 or the sync's errno
  auto result = done.get_future();
  try {
    std::thread([fd, sync = sync_, done = std::move(done)]() mutable {
      const int failure = sync(fd) == 0 ? 0 : (errno != 0 ? errno : EIO);
      ::close(fd);
      done.set_value(failure);
    }).detach();
  } catch (const std::system_error&) {  // no thread to be had: syncing here could outlast the deadline
    ::close(fd);
    return sync_outcome::failed;
  }
  if (result.wait_until(deadline) == std::future_status::timeout) return sync_outcome::in_background;
  if (const int failure = result.get(); failure != 0) {
    if (!last_error_) last_error_ = std::error_code(failure, std::generic_category());
    return sync_outcome::failed;
  }
  return sync_outcome::synced;
}

void spool::note_errno() {
  if (!last_error_ && errno != 0) last_error_ = std::error_code(errno, std::generic_category());
}

}  // namespace flowtrack::detail

namespace flowtrack {

spool_census take_spool_census(const std::filesystem::path& dir, bool skip_locked, std::uint64_t max_bytes) {
  using namespace detail;  // NOLINT(google-build-using-namespace): the spool format's helpers
  spool_census c;
  std::error_code ec;
  std::unordered_set<std::string> acked;
  std::vector<std::string> pending_ids;
  for (auto it = std::filesystem::directory_iterator(dir, ec); !ec && it != std::filesystem::directory_iterator();
       it.increment(ec)) {
    if (it->path().extension() != spool_suffix) continue;
    int fd = -1;
    if (open_regular_file(it->path(), O_RDONLY, fd)) {
      ++c.unreadable;
      continue;
    }
    if (skip_locked && ::flock(fd, LOCK_SH | LOCK_NB) != 0) {  // a live client writes it
      ::close(fd);
      ++c.locked_by_others;
      continue;
    }
    std::string bytes;
    bool truncated = false;
    const auto read_ec = read_at_most(fd, static_cast<std::size_t>(max_bytes), bytes, truncated);
    ::close(fd);  // also drops the shared lock
    if (read_ec) {
      ++c.unreadable;
      continue;
    }
    ++c.files;
    c.bytes += bytes.size();
    auto contents = parse_spool(bytes);
    for (auto& id : contents.acknowledged_ids) acked.insert(std::move(id));
    for (auto& m : contents.messages) pending_ids.emplace_back(spooled_message_id(m));
  }
  // Acknowledgements count across files (a replay's progress marks are in its own file).
  for (const auto& id : pending_ids) c.pending_events += acked.contains(id) ? 0 : 1;
  return c;
}

}  // namespace flowtrack

namespace flowtrack::detail {

void spool::remove_own_file() {
  if (own_fd_ < 0) return;
  spool_io().unlink(own_path_.c_str());
  ::close(own_fd_);
  own_fd_ = -1;
  own_bytes_ = 0;
  own_messages_ = 0;
}

}  // namespace flowtrack::detail
