// Runs a helper program as a child process and collects its stdout and exit status.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace flowtrack::test {

class child_process {
 public:
  /// Starts argv[0] (a path) with stdin and stderr on /dev/null and stdout captured.
  explicit child_process(const std::vector<std::string>& argv);
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  /// Reads stdout to its end and waits for the exit; returns the waitpid status.
  int finish();
  const std::string& output() const noexcept { return output_; }

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string output_;
};

/// A binary built beside the running test (build/bin).
std::string sibling_binary(const char* name);

}  // namespace flowtrack::test
