// The cli::telemetry_options the facade's unit tests start from: a fixed environment, the test's
// state directory, its diagnostics stream and a capturing sink instead of a client.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <ostream>
#include <string>

#include "capturing_sink.hpp"
#include "flowtrack/cli/telemetry.hpp"

namespace flowtrack::test {

inline cli::telemetry_options test_telemetry_options(cli::app_info app, const std::filesystem::path& state_dir,
                                                     std::map<std::string, std::string> env, std::ostream& diagnostics,
                                                     std::shared_ptr<capturing_sink> sink) {
  cli::telemetry_options o;
  o.app = std::move(app);
  o.write_key = "key";
  o.state_dir = state_dir;
  o.env = cli::fixed_environment(std::move(env));
  o.diagnostics = &diagnostics;
  o.sink = std::move(sink);
  return o;
}

}  // namespace flowtrack::test
