#include "cli/detached_process.hpp"

#include <fcntl.h>
#include <csignal>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

extern char** environ;  // NOLINT(readability-redundant-declaration): POSIX declares it nowhere

namespace flowtrack::cli::detail {
namespace {

std::error_code sys(int e) { return {e, std::generic_category()}; }

// Above 0-3, so the file actions' dup2 onto 0 and 3 never overwrite a source still needed.
int high_cloexec(int fd) {
  if (fd < 0 || fd > detached_kept_fd) return fd;
  const int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, detached_kept_fd + 1);
  ::close(fd);
  return moved;
}

struct spawn_setup {
  posix_spawn_file_actions_t actions{};
  posix_spawnattr_t attr{};
  bool actions_ok = false, attr_ok = false;
  ~spawn_setup() {
    if (actions_ok) posix_spawn_file_actions_destroy(&actions);
    if (attr_ok) posix_spawnattr_destroy(&attr);
  }
};

}  // namespace

std::filesystem::path own_executable() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path() : p;
}

std::error_code spawn_detached(const std::filesystem::path& program, const std::vector<std::string>& args,
                               std::string_view input, int keep_fd, long& pid) {
  if (input.size() > 65536) return sys(E2BIG);
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return sys(errno);
  int in_r = high_cloexec(p[0]);
  int in_w = high_cloexec(p[1]);
  int kept = keep_fd;
  if (keep_fd >= 0 && keep_fd <= detached_kept_fd) kept = ::fcntl(keep_fd, F_DUPFD_CLOEXEC, detached_kept_fd + 1);
  auto cleanup = [&] {
    if (in_r >= 0) ::close(in_r);
    if (in_w >= 0) ::close(in_w);
    if (kept != keep_fd && kept >= 0) ::close(kept);
  };
  if (in_r < 0 || in_w < 0 || (keep_fd >= 0 && kept < 0)) {
    const int e = errno;
    cleanup();
    return sys(e);
  }
  // The whole input goes in before the child exists: no blocking, no SIGPIPE.
  for (std::size_t done = 0; done < input.size();) {
    const ssize_t n = ::write(in_w, input.data() + done, input.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int e = errno;
      cleanup();
      return sys(e);
    }
    done += static_cast<std::size_t>(n);
  }
  ::close(in_w);
  in_w = -1;

  spawn_setup s;
  int rc = posix_spawn_file_actions_init(&s.actions);
  s.actions_ok = rc == 0;
  if (rc == 0) rc = posix_spawnattr_init(&s.attr);
  s.attr_ok = s.actions_ok && rc == 0;
  if (rc == 0) rc = posix_spawn_file_actions_adddup2(&s.actions, in_r, STDIN_FILENO);
  if (rc == 0) rc = posix_spawn_file_actions_addopen(&s.actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  if (rc == 0) rc = posix_spawn_file_actions_adddup2(&s.actions, STDOUT_FILENO, STDERR_FILENO);
  if (rc == 0 && kept >= 0) rc = posix_spawn_file_actions_adddup2(&s.actions, kept, detached_kept_fd);
  if (rc == 0) rc = posix_spawn_file_actions_addclosefrom_np(&s.actions, kept >= 0 ? detached_kept_fd + 1 : STDERR_FILENO + 1);
  if (rc == 0) rc = posix_spawn_file_actions_addchdir_np(&s.actions, "/");
  sigset_t none, defaults;
  sigemptyset(&none);
  sigfillset(&defaults);
  if (rc == 0) rc = posix_spawnattr_setsigmask(&s.attr, &none);
  if (rc == 0) rc = posix_spawnattr_setsigdefault(&s.attr, &defaults);
  if (rc == 0) rc = posix_spawnattr_setflags(&s.attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::vector<std::string> storage;
  storage.reserve(args.size() + 1);
  storage.push_back(program.string());
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  argv.reserve(storage.size() + 1);
  for (auto& a : storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t child = -1;
  if (rc == 0) rc = posix_spawn(&child, program.c_str(), &s.actions, &s.attr, argv.data(), environ);
  cleanup();
  if (rc != 0) return sys(rc);
  pid = child;
  // Reaped in the background: no zombie in a parent that lives on, no wait in one that exits.
  try {
    std::thread([child] {
      int status = 0;
      while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
      }
    }).detach();
  } catch (const std::system_error&) {  // no thread: the child is reaped when this process exits
  }
  return {};
}

}  // namespace flowtrack::cli::detail
