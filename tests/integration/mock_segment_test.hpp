// The base of mock-segment's integration tests: every test starts from a clean shared server
// (the ctest fixture's, or $FLOWTRACK_TEST_ENDPOINT's). Tests that need other flags start
// their own process with start_mock().
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "support/http_test_client.hpp"
#include "support/mock_segment_process.hpp"

namespace flowtrack::test {

class MockSegmentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = shared_mock_url();
    const std::string problem = reset_mock(url_);
    ASSERT_TRUE(problem.empty()) << problem;
  }
  void TearDown() override { reset_mock(url_); }  // leave no fault or mode behind for others
  const std::string& url() const { return url_; }

 private:
  std::string url_;
};

}  // namespace flowtrack::test

/// Tests that start their own mock-segment (other flags, signals) need the local binary.
#define REQUIRE_LOCAL_MOCK()                                                      \
  if (!::flowtrack::test::mock_binary_available())                                \
  GTEST_SKIP() << "no local mock-segment binary (" << ::flowtrack::test::mock_segment_binary() << ")"
