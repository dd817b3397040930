// Runs a helper program as a child process: environment additions, stdin data, stdout and
// stderr captured, signals, and waiting for a line of output (bounded, never a sleep).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace flowtrack::test {

struct child_options {
  std::map<std::string, std::string> env;  ///< set (or override) in the child's environment
  std::vector<std::string> unset_env;      ///< removed from the child's environment
  std::string stdin_data;                  ///< written to its stdin, then closed
};

class child_process {
 public:
  /// Starts argv[0] (a path, or a name looked up in PATH).
  explicit child_process(const std::vector<std::string>& argv, child_options options = {});
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  /// Reads stdout until it contains `text` or `timeout` passes; true when found.
  bool wait_for_output(const std::string& text, std::chrono::milliseconds timeout);
  void signal(int sig);
  /// Reads stdout and stderr to their ends and waits for the exit; returns the waitpid status.
  int finish();
  /// finish(), then the exit code (128 + signal when killed by one).
  int exit_code();

  const std::string& output() const noexcept { return output_; }
  const std::string& errors() const noexcept { return errors_; }

 private:
  void pump(int timeout_ms);

  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  int stderr_fd_ = -1;
  std::string output_;
  std::string errors_;
};

/// A binary built beside the running test (build/bin).
std::string sibling_binary(const char* name);

}  // namespace flowtrack::test
