// The mock-segment instance the integration suite shares, and starting extra instances with
// their own flags. Resolution order for the shared one:
//   1. $FLOWTRACK_TEST_ENDPOINT (a server the suite did not start, e.g. a container);
//   2. the ctest fixture's server: $MOCK_SEGMENT_URL, or the file named by $MOCK_SEGMENT_URL_FILE
//      (tests/integration/start_mock.sh writes it);
//   3. a process started on first use and kept for the whole test program (running a test
//      binary by hand, outside ctest).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "support/mock_process.hpp"

namespace flowtrack::test {

/// The shared server's URL (http://host:port). Throws std::runtime_error when it cannot be had.
const std::string& shared_mock_url();

/// Puts a server back to a clean state: POST /admin/reset, DELETE /admin/faults, mode ok,
/// latest version "0.0.0" without delay. Returns "" on success, else what failed.
std::string reset_mock(const std::string& url);

/// True when a local mock-segment binary exists (tests that need their own flags start one).
bool mock_binary_available();

/// A mock-segment process with extra flags (e.g. {"--write-key", "k"}), SIGTERM on destruction.
std::unique_ptr<mock_process> start_mock(std::vector<std::string> args);

}  // namespace flowtrack::test
