// flowtrack-demo end to end, as separate processes against mock-segment.
#include <gtest/gtest.h>

#include <csignal>
#include <random>
#include <set>

#include "demo_fixture.hpp"

namespace flowtrack::test {
namespace {

using namespace std::chrono_literals;

TEST_F(DemoE2E, HelpVersionUsageErrorsAndAuthRefusalSendNothing) {
  mock_process mock;
  EXPECT_EQ(demo(mock.url(), {"--help"}).exit_code, 0);
  auto version = demo(mock.url(), {"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.out.find("flowtrack-demo "), std::string::npos);
  EXPECT_EQ(demo(mock.url(), {"--no-such-flag"}).exit_code, 2);
  EXPECT_EQ(demo(mock.url(), {"no-such-command"}).exit_code, 2);
  EXPECT_EQ(demo(mock.url(), {"deploy"}).exit_code, 2);  // missing argument
  auto refused = demo(mock.url(), {"deploy", "web"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("not logged in"), std::string::npos);
  EXPECT_EQ(ingest_requests(mock.url()), 0);
}

TEST_F(DemoE2E, EachCommandSendsOneInvokedAndOneCompleted) {
  mock_process mock;
  // The user name must not be a hex string: ids (UUIDs) in the events are hex, and the check
  // below looks for the name in them.
  EXPECT_EQ(demo(mock.url(), {"login", "--user", "grace-hopper"}).exit_code, 0);
  EXPECT_EQ(demo(mock.url(), {"deploy", "web", "--step-ms", "5"}).exit_code, 0);
  EXPECT_EQ(demo(mock.url(), {"deploy", "web", "--step-ms", "5", "--fail-at", "upload"}).exit_code, 1);
  EXPECT_EQ(demo(mock.url(), {"wizard"}, {}, "proj\nback\nproj\neu\nyes\n").exit_code, 0);

  auto completed = completed_per_invocation(mock.url());
  ASSERT_EQ(completed.size(), 4u);
  std::map<std::string, json> by_outcome;
  for (const auto& c : completed) {
    const auto& p = c["properties"];
    if (p["command"] == "deploy") by_outcome[p["succeeded"] ? "deploy-ok" : "deploy-failed"] = p;
    else by_outcome[p["command"]] = p;
  }
  EXPECT_EQ(by_outcome["login"]["exit_code"], 0);
  EXPECT_EQ(by_outcome["deploy-ok"]["exit_code"], 0);
  EXPECT_FALSE(by_outcome["deploy-ok"].contains("error_class"));
  EXPECT_EQ(by_outcome["deploy-failed"]["exit_code"], 1);
  EXPECT_EQ(by_outcome["deploy-failed"]["error_class"], "demo::deploy_error");
  EXPECT_EQ(by_outcome["deploy-failed"]["user_cancelled"], false);
  EXPECT_EQ(by_outcome["wizard"]["succeeded"], true);
  // The wizard's flow went back once.
  std::set<std::string> directions;
  for (const auto& e : events(mock.url(), "?event=Flow%20Step")) directions.insert(e["properties"]["direction"]);
  EXPECT_TRUE(directions.contains("back"));
  // Flag names, never values.
  for (const auto& e : events(mock.url(), "?event=Command%20Invoked")) {
    const auto dumped = e.dump();
    EXPECT_EQ(dumped.find("grace-hopper"), std::string::npos);
    EXPECT_EQ(dumped.find("proj"), std::string::npos);
  }
}

TEST_F(DemoE2E, CtrlCCancelsAndIsReported) {
  mock_process mock;
  ASSERT_EQ(demo(mock.url(), {"login", "--user", "ada"}).exit_code, 0);
  child_process p({sibling_binary("flowtrack-demo"), "deploy", "web", "--step-ms", "60000"}, env_for(mock.url()));
  ASSERT_TRUE(p.wait_for_output("validate: web", 10s));
  p.signal(SIGINT);
  EXPECT_EQ(p.exit_code(), 130);
  auto completed = completed_per_invocation(mock.url());
  ASSERT_EQ(completed.size(), 2u);
  const auto& deploy = completed[0]["properties"]["command"] == "deploy" ? completed[0] : completed[1];
  EXPECT_EQ(deploy["properties"]["user_cancelled"], true);
  EXPECT_EQ(deploy["properties"]["exit_code"], 130);
  EXPECT_EQ(deploy["properties"]["succeeded"], false);
}

TEST_F(DemoE2E, SlowUpdateCheckIsNotCountedInDuration) {
  mock_process mock;
  ASSERT_EQ(demo(mock.url(), {"login", "--user", "ada"}).exit_code, 0);
  ASSERT_EQ(http_post(mock.url(), "/admin/latest-version", R"({"version":"99.0.0","delay_ms":800})").response.status, 200);
  auto run = demo(mock.url(), {"whoami"}, {{"FLOWTRACK_UPDATE_TIMEOUT_MS", "2000"}});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.err.find("99.0.0 is available"), std::string::npos);  // the check did run, and waited
  for (const auto& c : completed_per_invocation(mock.url())) {
    if (c["properties"]["command"] == "whoami") EXPECT_LT(c["properties"]["duration_ms"].get<int>(), 100);
  }
}

TEST_F(DemoE2E, BlackHoledEndpointExitsInTimeAndTheNextRunDeliversEverything) {
  mock_process mock({"--mode", "blackhole"});
  const auto start = std::chrono::steady_clock::now();
  auto blocked = demo(mock.url(), {"login", "--user", "ada"});
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(blocked.exit_code, 0);
  EXPECT_LT(took, 1000ms + 300ms);  // FLOWTRACK_CLOSE_TIMEOUT_MS=1000, + 300 ms process overhead
  ASSERT_EQ(http_post(mock.url(), "/admin/mode", R"({"mode":"ok"})").response.status, 200);
  ASSERT_EQ(demo(mock.url(), {"whoami"}).exit_code, 0);
  auto completed = completed_per_invocation(mock.url());
  ASSERT_EQ(completed.size(), 2u);  // login's events arrived with whoami's run
}

TEST_F(DemoE2E, OptOutsSendNoRequestAtAll) {
  mock_process mock;
  EXPECT_EQ(demo(mock.url(), {"login", "--user", "ada"}, {{"DO_NOT_TRACK", "1"}}).exit_code, 0);
  EXPECT_EQ(demo(mock.url(), {"whoami"}, {{"FLOWTRACK_TELEMETRY_DISABLED", "1"}}).exit_code, 0);
  ASSERT_EQ(demo(mock.url(), {"telemetry", "disable"}).exit_code, 0);
  auto status = demo(mock.url(), {"telemetry", "status"});
  EXPECT_NE(status.out.find("disabled by setting"), std::string::npos);
  EXPECT_EQ(demo(mock.url(), {"deploy", "web", "--step-ms", "1"}).exit_code, 0);
  EXPECT_EQ(ingest_requests(mock.url()), 0);
  ASSERT_EQ(demo(mock.url(), {"telemetry", "enable"}).exit_code, 0);
  EXPECT_EQ(demo(mock.url(), {"whoami"}).exit_code, 0);
  EXPECT_EQ(ingest_requests(mock.url()), 1);
}

TEST_F(DemoE2E, TelemetryDebugPrintsEventsAndSendsNothing) {
  mock_process mock;
  ASSERT_EQ(demo(mock.url(), {"login", "--user", "ada"}, {{"DO_NOT_TRACK", "1"}}).exit_code, 0);
  auto plain = demo(mock.url(), {"whoami"}, {{"DO_NOT_TRACK", "1"}});
  auto debug = demo(mock.url(), {"whoami"}, {{"FLOWTRACK_TELEMETRY_DEBUG", "1"}});
  EXPECT_EQ(debug.exit_code, 0);
  EXPECT_EQ(debug.out, plain.out);  // stdout unchanged
  EXPECT_NE(debug.err.find(R"("event":"Command Invoked")"), std::string::npos);
  EXPECT_NE(debug.err.find(R"("event":"Command Completed")"), std::string::npos);
  EXPECT_EQ(ingest_requests(mock.url()), 0);
}

TEST_F(DemoE2E, DebugShowsTheClientsDiagnosticsOnStderrOnly) {
  mock_process mock;
  ASSERT_EQ(demo(mock.url(), {"login", "--user", "ada"}).exit_code, 0);
  auto quiet = demo(mock.url(), {"whoami"});
  auto verbose = demo(mock.url(), {"whoami"}, {{"DEBUG", "1"}});
  EXPECT_EQ(verbose.out, quiet.out);
  EXPECT_EQ(quiet.err, "");  // without DEBUG, telemetry never writes to the terminal
  EXPECT_NE(verbose.err.find("telemetry: batch of 2 delivered (HTTP 200"), std::string::npos) << verbose.err;
  EXPECT_EQ(verbose.err.find("demo-e2e"), std::string::npos);  // never the write key
}

}  // namespace
}  // namespace flowtrack::test
