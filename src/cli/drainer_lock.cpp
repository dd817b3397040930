#include "cli/drainer_lock.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>

#include "cli/state_files.hpp"
#include "common/regular_file.hpp"
#include "flowtrack/error.hpp"

namespace flowtrack::cli {
namespace detail {
namespace {

constexpr const char* lock_name = "drainer.lock";
constexpr const char* mark_name = "handoff_pending";

struct flock whole_file(short type) {
  struct flock fl{};
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  return fl;
}

}  // namespace

std::filesystem::path drainer_lock_path(const std::filesystem::path& state_dir) { return state_dir / lock_name; }

std::error_code try_take_drainer_lock(const std::filesystem::path& state_dir, int& fd, bool& taken) {
  fd = -1;
  taken = false;
  const auto path = drainer_lock_path(state_dir);
  int f = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
  if (f < 0) return errno == ELOOP ? std::error_code(flowtrack::errc::not_regular_file) : std::error_code(errno, std::generic_category());
  struct stat st{};
  if (::fstat(f, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(f);
    return flowtrack::errc::not_regular_file;
  }
  struct flock fl = whole_file(F_WRLCK);
  if (::fcntl(f, F_OFD_SETLK, &fl) != 0) {
    const int e = errno;
    ::close(f);
    if (e == EAGAIN || e == EACCES) return {};  // held: a drainer runs
    return {e, std::generic_category()};
  }
  fd = f;
  taken = true;
  return {};
}

void record_drainer_pid(int fd, long pid) {
  const std::string text = std::to_string(pid) + "\n";
  if (::ftruncate(fd, 0) == 0) (void)!::pwrite(fd, text.data(), text.size(), 0);
}

bool handoff_mark_present(const std::filesystem::path& state_dir) {
  struct stat st{};
  return ::lstat((state_dir / mark_name).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

void write_handoff_mark(const std::filesystem::path& state_dir) {
  if (!handoff_mark_present(state_dir)) (void)write_private_file(state_dir / mark_name, "");
}

void remove_handoff_mark(const std::filesystem::path& state_dir) { ::unlink((state_dir / mark_name).c_str()); }

}  // namespace detail

drainer_probe probe_drainer(const std::filesystem::path& state_dir) {
  drainer_probe p;
  int fd = -1;
  if (flowtrack::detail::open_regular_file(detail::drainer_lock_path(state_dir), O_RDWR, fd)) return p;
  struct flock fl = detail::whole_file(F_WRLCK);
  if (::fcntl(fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK) {
    p.running = true;
    std::string text;
    bool truncated = false;
    if (!flowtrack::detail::read_at_most(fd, 32, text, truncated)) p.pid = std::atol(text.c_str());
  }
  ::close(fd);
  return p;
}

}  // namespace flowtrack::cli
