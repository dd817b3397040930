// The CLI telemetry layer against a real mock-segment process: enabled, the command's events
// arrive with their base properties; disabled (every way), not a single request reaches it.
//
// The server: $FLOWTRACK_TEST_ENDPOINT (shared, e.g. a container), else a mock-segment started
// for each test ($MOCK_SEGMENT_BIN, set by CMake to the built target, or build/bin/mock-segment).
// On a shared server other suites may send too: the assertions then look only at this test's
// events (its anonymous id, from its own state directory), with an enabled run as the control.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>

#include "flowtrack/cli/command_runner.hpp"
#include "flowtrack/cli/telemetry.hpp"
#include "support/http_test_client.hpp"
#include "support/mock_process.hpp"
#include "support/temp_dir.hpp"
#include "wire/uuid.hpp"

namespace flowtrack::test {
namespace {

using namespace std::chrono_literals;

#ifdef FLOWTRACK_MOCK_SEGMENT_BIN
// The binary CMake built (the test may run from another directory than build/bin).
[[maybe_unused]] const bool mock_bin_set = [] { return ::setenv("MOCK_SEGMENT_BIN", FLOWTRACK_MOCK_SEGMENT_BIN, 0) == 0; }();
#endif

class CliTelemetryE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    // A known anonymous id in this test's state directory: every event it sends carries it.
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "anonymous_id") << anonymous_id_ << '\n';
  }

  cli::telemetry_options options(std::map<std::string, std::string> env) {
    env["DEMO_ENDPOINT"] = ep_.url();
    env["DEMO_WRITE_KEY"] = "e2e-key";
    env.emplace("DEMO_NO_TELEMETRY_NOTICE", "1");  // the first-run notice: DemoConsentE2E
    cli::telemetry_options o;
    o.app = {"demo", "2.0.0"};
    o.state_dir = dir_;
    o.env = cli::fixed_environment(env);
    o.diagnostics = &diagnostics_;
    return o;
  }

  // One CLI invocation, `demo deploy --fail-at`, through the command runner.
  int invoke(std::map<std::string, std::string> env, cli::telemetry_state expected) {
    asio::io_context io;
    auto t = cli::make_telemetry(io.get_executor(), options(std::move(env)));
    EXPECT_EQ(t->state(), expected) << cli::to_string(t->state());
    int code = -1;
    asio::co_spawn(io, cli::run_command(*t, {"deploy", {"--fail-at"}}, []() -> asio::awaitable<int> { co_return 0; }),
                   [&](std::exception_ptr e, int c) { code = e ? -2 : c; });
    io.run_for(10s);
    return code;
  }

  nlohmann::json our_events() {
    auto all = http_get(ep_.url(), "/admin/events").json();
    nlohmann::json out = nlohmann::json::array();
    if (!all.is_object() || !all["events"].is_array()) return out;
    // At least once: a batch answered after the close's grace is also handed to a drainer and
    // may arrive twice with the same messageIds, which Segment deduplicates. So is it here.
    std::set<std::string> seen_message_ids;
    for (const auto& e : all["events"])
      if (e.value("anonymousId", "") == anonymous_id_ && seen_message_ids.insert(e.value("messageId", "")).second)
        out.push_back(e);
    return out;
  }

  long long requests() { return http_get(ep_.url(), "/admin/stats").json().value("requests", -1LL); }

  test_endpoint ep_;
  temp_dir tmp_{"flowtrack-cli-e2e"};
  const std::filesystem::path dir_ = tmp_.path() / "state";
  const std::string anonymous_id_ = flowtrack::detail::make_uuid_v4();
  std::ostringstream diagnostics_;
};

TEST_F(CliTelemetryE2E, EnabledDeliversInvokedAndCompleted) {
  ASSERT_EQ(anonymous_id_.size(), 36u) << anonymous_id_;
  ASSERT_EQ(invoke({}, cli::telemetry_state::enabled), 0);
  auto events = our_events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0]["event"], "Command Invoked");
  EXPECT_EQ(events[0]["properties"]["flags"], nlohmann::json({"--fail-at"}));
  EXPECT_EQ(events[1]["event"], "Command Completed");
  EXPECT_EQ(events[1]["properties"]["succeeded"], true);
  EXPECT_EQ(events[0]["properties"]["invocation_id"], events[1]["properties"]["invocation_id"]);
  EXPECT_EQ(events[0]["properties"]["sequence"], 1);
  EXPECT_EQ(events[1]["properties"]["sequence"], 2);
  EXPECT_EQ(events[1]["properties"]["app"], "demo");
  EXPECT_EQ(events[1]["properties"]["app_version"], "2.0.0");
  // Segment's standard context, merged from the batch into each message by the server.
  for (const auto& e : events) {
    EXPECT_EQ(e["context"]["app"], nlohmann::json({{"name", "demo"}, {"version", "2.0.0"}})) << e.dump();
    EXPECT_FALSE(e["context"]["os"].value("name", "").empty()) << e.dump();
    EXPECT_EQ(e["context"]["library"]["name"], "flowtrack") << e.dump();
  }
  EXPECT_TRUE(diagnostics_.str().empty());  // nothing on the terminal without DEBUG
}

TEST_F(CliTelemetryE2E, DisabledSendsNoRequestAtAll) {
  ASSERT_EQ(anonymous_id_.size(), 36u) << anonymous_id_;
  const long long before = requests();
  EXPECT_EQ(invoke({{"DO_NOT_TRACK", "1"}}, cli::telemetry_state::disabled_by_env), 0);
  EXPECT_EQ(invoke({{"DEMO_TELEMETRY_DISABLED", "true"}}, cli::telemetry_state::disabled_by_env), 0);
  EXPECT_EQ(invoke({{"DEMO_TELEMETRY_DEBUG", "1"}}, cli::telemetry_state::debug_print), 0);
  const std::string printed = diagnostics_.str();
  EXPECT_EQ(std::count(printed.begin(), printed.end(), '\n'), 2);  // printed, not sent
  ASSERT_FALSE(cli::set_telemetry_enabled(options({}), false));  // `demo telemetry disable`
  EXPECT_EQ(invoke({}, cli::telemetry_state::disabled_by_setting), 0);
  ASSERT_FALSE(cli::set_telemetry_enabled(options({}), true));  // `demo telemetry enable`
  auto no_key = options({});
  no_key.env = cli::fixed_environment({{"DEMO_ENDPOINT", ep_.url()}});
  {
    asio::io_context io;
    auto t = cli::make_telemetry(io.get_executor(), no_key);
    EXPECT_EQ(t->state(), cli::telemetry_state::no_write_key);
    int code = -1;
    asio::co_spawn(io, cli::run_command(*t, {"deploy", {}}, []() -> asio::awaitable<int> { co_return 0; }),
                   [&](std::exception_ptr, int c) { code = c; });
    io.run_for(10s);
    EXPECT_EQ(code, 0);
  }

  if (!ep_.shared()) {
    EXPECT_EQ(requests(), before);  // our own server: not one request
  }
  EXPECT_TRUE(our_events().empty());

  // Control: the same state directory, enabled again, is seen by the same query.
  EXPECT_EQ(invoke({}, cli::telemetry_state::enabled), 0);
  EXPECT_EQ(our_events().size(), 2u);
}

}  // namespace
}  // namespace flowtrack::test
