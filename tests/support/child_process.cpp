#include "support/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <stdexcept>

// POSIX has the program declare environ; glibc's <unistd.h> does only with _GNU_SOURCE.
extern char** environ;  // NOLINT(readability-redundant-declaration)

namespace flowtrack::test {

std::string sibling_binary(const char* name) {
  return (std::filesystem::read_symlink("/proc/self/exe").parent_path() / name).string();
}

child_process::child_process(const std::vector<std::string>& argv, child_options options) {
  std::vector<std::string> args = argv;
  std::vector<char*> raw;
  raw.reserve(args.size() + 1);
  for (auto& a : args) raw.push_back(a.data());
  raw.push_back(nullptr);

  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    const std::string entry = *e;
    const std::string name = entry.substr(0, entry.find('='));
    bool drop = options.env.contains(name);
    for (const auto& u : options.unset_env) drop = drop || u == name;
    if (!drop) env_strings.push_back(entry);
  }
  for (const auto& [k, v] : options.env) env_strings.emplace_back(k).append("=").append(v);
  std::vector<char*> env;
  env.reserve(env_strings.size() + 1);
  for (auto& e : env_strings) env.push_back(e.data());
  env.push_back(nullptr);

  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  const int rc = posix_spawnp(&pid_, raw[0], &actions, nullptr, raw.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  if (rc != 0) {
    ::close(in[1]);
    ::close(out[0]);
    ::close(err[0]);
    throw std::runtime_error("cannot start " + args[0]);
  }
  if (!options.stdin_data.empty()) {
    [[maybe_unused]] auto n = ::write(in[1], options.stdin_data.data(), options.stdin_data.size());
  }
  ::close(in[1]);
  stdout_fd_ = out[0];
  stderr_fd_ = err[0];
}

void child_process::pump(int timeout_ms) {
  pollfd fds[2] = {{stdout_fd_, POLLIN, 0}, {stderr_fd_, POLLIN, 0}};
  if (::poll(fds, 2, timeout_ms) <= 0) return;
  char buf[4096];
  for (int i = 0; i < 2; ++i) {
    if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
    const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
    if (n <= 0) {
      ::close(fds[i].fd);
      (i == 0 ? stdout_fd_ : stderr_fd_) = -1;
      continue;
    }
    (i == 0 ? output_ : errors_).append(buf, static_cast<std::size_t>(n));
  }
}

bool child_process::wait_for_output(const std::string& text, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (output_.find(text) == std::string::npos) {
    if (stdout_fd_ < 0 || std::chrono::steady_clock::now() >= deadline) return false;
    pump(20);
  }
  return true;
}

void child_process::signal(int sig) {
  if (pid_ > 0) ::kill(pid_, sig);
}

int child_process::finish() {
  if (pid_ <= 0) return -1;
  while (stdout_fd_ >= 0 || stderr_fd_ >= 0) pump(1000);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return status;
}

int child_process::exit_code() {
  const int status = finish();
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

child_process::~child_process() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    finish();
  }
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
  if (stderr_fd_ >= 0) ::close(stderr_fd_);
}

}  // namespace flowtrack::test
