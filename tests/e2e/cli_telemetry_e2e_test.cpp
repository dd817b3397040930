// The CLI telemetry layer against a real mock-segment: enabled, events arrive with their base
// properties; disabled (every way), not a single request reaches the server.
#include <gtest/gtest.h>

#include <random>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>

#include "support/temp_dir.hpp"
#include "flowtrack/cli/command_runner.hpp"
#include "flowtrack/cli/telemetry.hpp"
#include "support/http_test_client.hpp"
#include "support/mock_process.hpp"

namespace flowtrack::test {
namespace {

using namespace std::chrono_literals;

class CliTelemetryE2E : public ::testing::Test {
 protected:

  // One CLI invocation: `demo deploy`, through the command runner.
  int invoke(const test_endpoint& ep, std::map<std::string, std::string> env) {
    env["DEMO_ENDPOINT"] = ep.url();
    env["DEMO_WRITE_KEY"] = "e2e-key";
    asio::io_context io;
    cli::telemetry_options o;
    o.app = {"demo", "2.0.0"};
    o.state_dir = dir_;
    o.env = cli::fixed_environment(env);
    auto t = cli::make_telemetry(io.get_executor(), o);
    int code = -1;
    asio::co_spawn(io, cli::run_command(*t, {"deploy", {"--fail-at"}}, []() -> asio::awaitable<int> { co_return 0; }),
                   [&](std::exception_ptr, int c) { code = c; });
    io.run_for(10s);
    return code;
  }

  temp_dir tmp_{"flowtrack-cli-e2e"};
  const std::filesystem::path& dir_ = tmp_.path();
};

TEST_F(CliTelemetryE2E, EnabledDeliversInvokedAndCompleted) {
  test_endpoint ep;
  ASSERT_EQ(invoke(ep, {}), 0);
  auto events = http_get(ep.url(), "/admin/events").json()["events"];
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0]["event"], "Command Invoked");
  EXPECT_EQ(events[1]["event"], "Command Completed");
  EXPECT_EQ(events[0]["properties"]["invocation_id"], events[1]["properties"]["invocation_id"]);
  EXPECT_LT(events[0]["properties"]["sequence"], events[1]["properties"]["sequence"]);
  EXPECT_EQ(events[1]["properties"]["app_version"], "2.0.0");
  EXPECT_EQ(events[1]["anonymousId"].get<std::string>().size(), 36u);
}

TEST_F(CliTelemetryE2E, DisabledSendsNoRequestAtAll) {
  test_endpoint ep;
  const std::map<std::string, std::string> opt_outs[] = {
      {{"DO_NOT_TRACK", "1"}}, {{"DEMO_TELEMETRY_DISABLED", "true"}}, {{"DEMO_TELEMETRY_DEBUG", "1"}}};
  for (const auto& env : opt_outs) EXPECT_EQ(invoke(ep, env), 0);
  cli::telemetry_options o;
  o.app = {"demo", "2.0.0"};
  o.state_dir = dir_;
  ASSERT_FALSE(cli::set_telemetry_enabled(o, false));  // `demo telemetry disable`
  EXPECT_EQ(invoke(ep, {}), 0);
  EXPECT_EQ(http_get(ep.url(), "/admin/stats").json()["requests"], 0);
}

}  // namespace
}  // namespace flowtrack::test
