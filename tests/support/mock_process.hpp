// Starts a mock-segment process for a test and stops it with SIGTERM. Its stdin and stderr
// are detached; its stdout is read until the "listening on URL" line.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

namespace flowtrack::test {

class mock_process {
 public:
  /// `--port 0` unless extra_args name a port.
  /// Throws std::runtime_error when the process cannot start or never reports its URL.
  explicit mock_process(std::vector<std::string> extra_args = {});
  ~mock_process();
  mock_process(const mock_process&) = delete;
  mock_process& operator=(const mock_process&) = delete;

  const std::string& url() const noexcept { return url_; }
  pid_t pid() const noexcept { return pid_; }
  /// SIGTERM, then waits: the exit status as waitpid reports it.
  int terminate();

 private:
  pid_t pid_ = -1;
  std::string url_;
};

/// The mock-segment binary: $MOCK_SEGMENT_BIN, else build/bin/mock-segment beside the test.
std::string mock_segment_binary();

/// The endpoint integration tests use: $FLOWTRACK_TEST_ENDPOINT when set (a shared server,
/// e.g. a container), else a process started for the calling test.
class test_endpoint {
 public:
  test_endpoint();
  const std::string& url() const noexcept { return url_; }
  /// True when the endpoint is a shared server the test did not start.
  bool shared() const noexcept { return !own_; }

 private:
  std::string url_;
  std::unique_ptr<mock_process> own_;
};

}  // namespace flowtrack::test
