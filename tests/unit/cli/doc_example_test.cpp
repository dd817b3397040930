// The code example of docs/CLI-TELEMETRY.md, compiled and run: keep the two in sync.
#include <gtest/gtest.h>

#include <csignal>
#include <sstream>

#include "capturing_sink.hpp"
#include "support/temp_dir.hpp"

// ---- docs/CLI-TELEMETRY.md example: begin ----
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <flowtrack/cli/command_runner.hpp>
#include <flowtrack/cli/error_class.hpp>
#include <flowtrack/cli/flow_tracker.hpp>
#include <flowtrack/cli/telemetry.hpp>

namespace deploy_cli {
namespace cli = flowtrack::cli;

// The app's own flow and steps: the order gives "forward" / "back".
inline constexpr cli::flow deploy_flow{"deploy"};
inline constexpr cli::step deploy_steps[] = {{1, "validate"}, {2, "build"}, {3, "upload"}, {4, "release"}};

asio::awaitable<int> deploy(cli::telemetry& t) {
  cli::flow_tracker flow{t, deploy_flow};  // "Flow Started"
  try {
    for (const cli::step& s : deploy_steps) {
      flow.enter(s);  // "Flow Step" {step, previous_step, direction, elapsed_ms}
      // ... the step's work, co_await-ing whatever it needs ...
    }
  } catch (const std::exception& e) {
    flow.finish(cli::flow_outcome::failed, cli::error_class(e));  // "Flow Completed"
    throw;  // the runner reports it in "Command Completed"
  }
  flow.finish(cli::flow_outcome::completed);
  co_return 0;
}

int run(const std::vector<std::string>& args, cli::telemetry_options options) {
  // Pre-run: parse arguments, handle --help/--version, check auth. What ends here sends nothing.
  cli::pre_run_result pre_run;
  if (args.empty() || args[0] == "--help") pre_run = {cli::pre_run_outcome::help_shown, 0};
  else if (args[0] != "deploy") pre_run = {cli::pre_run_outcome::usage_error, 2};

  asio::io_context io;
  auto t = cli::make_telemetry(io.get_executor(), std::move(options));  // never null
  asio::signal_set sigint(io, SIGINT);  // before the command starts: no Ctrl-C is lost
  cli::runner_options runner;
  runner.cancellation = cli::cancel_on_signal(sigint);
  runner.after = [](int /*exit_code*/) -> asio::awaitable<void> {
    co_return;  // e.g. an update check: runs after duration_ms is taken, within the close deadline
  };
  cli::command_invocation invocation{"deploy", {}};
  for (std::size_t i = 1; i < args.size(); ++i)
    if (args[i].starts_with("--")) invocation.flag_names.push_back(args[i].substr(0, args[i].find('=')));  // names only

  int exit_code = 1;
  asio::co_spawn(io, cli::run_command(*t, invocation, pre_run, [&] { return deploy(*t); }, std::move(runner)),
                 [&](std::exception_ptr e, int code) {
                   exit_code = e ? 1 : code;
                   sigint.cancel();  // let io.run() return
                 });
  io.run();  // returns within the handoff grace (200 ms), at most the close deadline (3 s)
  return exit_code;
}

}  // namespace deploy_cli
// ---- docs/CLI-TELEMETRY.md example: end ----

namespace deploy_cli {
// `deploy-cli telemetry status|enable|disable`
int telemetry_command(std::string_view action, const cli::telemetry_options& options, std::ostream& out) {
  // ---- docs/CLI-TELEMETRY.md status: begin ----
  if (action == "enable" || action == "disable") {
    if (auto ec = cli::set_telemetry_enabled(options, action == "enable")) return 1;  // errc::spool_io
  }
  const cli::telemetry_status s = cli::read_status(options);  // creates nothing, never throws
  out << "telemetry: " << cli::to_string(s.state) << "\nstate dir: " << s.state_dir.string()
      << "\nanonymous id: " << (s.anonymous_id.empty() ? "(none yet)" : s.anonymous_id) << '\n';
  // ---- docs/CLI-TELEMETRY.md status: end ----
  return 0;
}
}  // namespace deploy_cli

namespace flowtrack::test {
namespace {

class DocExample : public ::testing::Test {
 protected:
  cli::telemetry_options options() {
    cli::telemetry_options o;
    o.app = {"deploy-cli", "0.1.0"};
    o.state_dir = tmp_.path();
    o.env = cli::fixed_environment({{"DEPLOY_CLI_CLOSE_TIMEOUT_MS", "500"}});
    o.sink = sink_;  // instead of the client
    o.notice.enabled = false;  // the first-run notice has tests of its own
    return o;
  }
  temp_dir tmp_{"flowtrack-doc-example"};
  std::shared_ptr<capturing_sink> sink_ = std::make_shared<capturing_sink>();
};

TEST_F(DocExample, DeploySendsTheCommandAndFlowEventsInSequence) {
  EXPECT_EQ(deploy_cli::run({"deploy", "--env=prod", "--verbose"}, options()), 0);
  const auto events = sink_->events();
  const std::vector<std::string> expected = {"Command Invoked", "Flow Started", "Flow Step",        "Flow Step",
                                             "Flow Step",       "Flow Step",    "Flow Completed", "Command Completed"};
  ASSERT_EQ(events.size(), expected.size());
  for (std::size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].event, expected[i]) << i;
    EXPECT_EQ(events[i].properties["sequence"], i + 1) << i;
  }
  EXPECT_EQ(events[0].properties["flags"], nlohmann::json({"--env", "--verbose"}));  // no "prod"
  EXPECT_EQ(events[5].properties["step"], "release");
  EXPECT_EQ(events[5].properties["previous_step"], "upload");
  EXPECT_EQ(events[5].properties["direction"], "forward");
  EXPECT_EQ(events[7].properties["succeeded"], true);
  EXPECT_TRUE(sink_->closed());
}

TEST_F(DocExample, TelemetryCommand) {
  std::ostringstream out;
  EXPECT_EQ(deploy_cli::telemetry_command("disable", options(), out), 0);
  EXPECT_NE(out.str().find("telemetry: disabled by setting"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("(none yet)"), std::string::npos);
  EXPECT_EQ(deploy_cli::run({"deploy"}, options()), 0);
  EXPECT_TRUE(sink_->events().empty());
  out.str("");
  EXPECT_EQ(deploy_cli::telemetry_command("enable", options(), out), 0);
  EXPECT_NE(out.str().find("telemetry: enabled"), std::string::npos) << out.str();
}

TEST_F(DocExample, HelpAndUsageErrorsSendNothing) {
  EXPECT_EQ(deploy_cli::run({"--help"}, options()), 0);
  EXPECT_EQ(deploy_cli::run({"destroy"}, options()), 2);
  EXPECT_TRUE(sink_->events().empty());
}

}  // namespace
}  // namespace flowtrack::test
