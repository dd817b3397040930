#include "common/regular_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "flowtrack/error.hpp"

namespace flowtrack::detail {

std::error_code open_regular_file(const std::filesystem::path& path, int flags, int& fd) noexcept {
  fd = -1;
  // O_NONBLOCK: opening a FIFO with no writer would otherwise wait forever. O_NOFOLLOW: a
  // symlink fails with ELOOP instead of being followed.
  const int opened = ::open(path.c_str(), flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (opened < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return std::make_error_code(std::errc::no_such_file_or_directory);
    if (errno == ELOOP || errno == EISDIR || errno == ENXIO || errno == EWOULDBLOCK) return errc::not_regular_file;
    return errc::spool_io;
  }
  struct stat st{};
  if (::fstat(opened, &st) != 0) {
    ::close(opened);
    return errc::spool_io;
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(opened);
    return errc::not_regular_file;
  }
  // Reads of a regular file never block anyway; clear the flag so a later write is ordinary.
  ::fcntl(opened, F_SETFL, ::fcntl(opened, F_GETFL) & ~O_NONBLOCK);
  fd = opened;
  return {};
}

std::error_code read_at_most(int fd, std::size_t max_bytes, std::string& out, bool& truncated) noexcept try {
  out.clear();
  truncated = false;
  char buf[65536];
  for (;;) {
    const std::size_t room = max_bytes - out.size();
    // One byte past the cap tells "exactly the cap" from "more".
    const ssize_t n = ::read(fd, buf, room < sizeof buf ? room + 1 : sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errc::spool_io;
    }
    if (n == 0) return {};
    const auto got = static_cast<std::size_t>(n);
    if (got > room) {
      out.append(buf, room);
      truncated = true;
      return {};
    }
    out.append(buf, got);
  }
} catch (...) {  // std::bad_alloc
  out.clear();
  return errc::spool_io;
}

std::error_code read_regular_file(const std::filesystem::path& path, std::size_t max_bytes,
                                  std::string& out) noexcept {
  out.clear();
  int fd = -1;
  if (auto ec = open_regular_file(path, O_RDONLY, fd)) return ec;
  bool truncated = false;
  const auto ec = read_at_most(fd, max_bytes, out, truncated);
  ::close(fd);
  if (ec) return ec;
  if (truncated) {
    out.clear();
    return errc::file_too_large;
  }
  return {};
}

}  // namespace flowtrack::detail
