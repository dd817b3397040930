#include "support/mock_process.hpp"

#include <algorithm>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "support/http_test_client.hpp"

// POSIX has the program declare environ; glibc's <unistd.h> does only with _GNU_SOURCE.
extern char** environ;  // NOLINT(readability-redundant-declaration)

namespace flowtrack::test {

std::string mock_segment_binary() {
  if (const char* env = std::getenv("MOCK_SEGMENT_BIN"); env && *env) return env;
  return (std::filesystem::read_symlink("/proc/self/exe").parent_path() / "mock-segment").string();
}

mock_process::mock_process(std::vector<std::string> extra_args) {
  const std::string bin = mock_segment_binary();
  // A free port unless the test names one (a server coming up where a client already sends).
  std::vector<std::string> args = {bin};
  if (std::find(extra_args.begin(), extra_args.end(), "--port") == extra_args.end()) args.insert(args.end(), {"--port", "0"});
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  const int rc = posix_spawn(&pid_, bin.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  if (rc != 0) {
    ::close(out[0]);
    throw std::runtime_error("cannot start " + bin);
  }
  // Read the ready line, bounded: poll with a deadline, never a sleep.
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    pollfd p{out[0], POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char buf[256];
    const ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n <= 0) break;
    line.append(buf, static_cast<std::size_t>(n));
  }
  ::close(out[0]);
  const std::string prefix = "listening on ";
  if (!line.starts_with(prefix) || line.find('\n') == std::string::npos) {
    terminate();
    throw std::runtime_error("mock-segment did not report its URL: " + line);
  }
  url_ = line.substr(prefix.size(), line.find('\n') - prefix.size());
}

int mock_process::terminate() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return status;
}

mock_process::~mock_process() { terminate(); }

test_endpoint::test_endpoint() {
  if (const char* env = std::getenv("FLOWTRACK_TEST_ENDPOINT"); env && *env) {
    url_ = env;
    // A shared server: start from a clean state.
    http_post(url_, "/admin/reset", "");
    http_call(url_, "DELETE", "/admin/faults", "");
    http_post(url_, "/admin/mode", R"({"mode":"ok"})");
    return;
  }
  own_ = std::make_unique<mock_process>();
  url_ = own_->url();
}

}  // namespace flowtrack::test
