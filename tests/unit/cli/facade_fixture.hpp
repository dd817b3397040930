// A fixture for tests of the CLI facade: make() builds it on the fixture's io_context over a
// capturing_sink, with a state directory of its own and the first-run notice off.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include <asio/io_context.hpp>

#include "capturing_sink.hpp"
#include "flowtrack/cli/telemetry.hpp"
#include "support/temp_dir.hpp"

namespace flowtrack::test {

class facade_fixture : public ::testing::Test {
 protected:
  /// `state_dir_prefix` names the temporary state directory (temp_dir).
  explicit facade_fixture(std::string_view state_dir_prefix) : tmp_(state_dir_prefix) {}

  std::unique_ptr<cli::telemetry> make(std::map<std::string, std::string> env = {}) {
    cli::telemetry_options o;
    o.app = {"demo", "1"};
    o.state_dir = tmp_.path();
    o.env = cli::fixed_environment(std::move(env));
    o.sink = sink_;
    o.notice.enabled = false;
    return cli::make_telemetry(io_.get_executor(), o);
  }

  temp_dir tmp_;
  asio::io_context io_;
  std::shared_ptr<capturing_sink> sink_ = std::make_shared<capturing_sink>();
};

}  // namespace flowtrack::test
