// flowtrack-demo end to end, as separate processes against mock-segment.
#include <gtest/gtest.h>

#include <csignal>
#include <random>
#include <set>

#include "support/temp_dir.hpp"
#include "support/child_process.hpp"
#include "support/http_test_client.hpp"
#include "support/mock_process.hpp"

namespace flowtrack::test {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

class DemoE2E : public ::testing::Test {
 protected:

  child_options env_for(const std::string& url, const std::map<std::string, std::string>& extra = {}) const {
    child_options o;
    o.env = {{"FLOWTRACK_ENDPOINT", url},
             {"FLOWTRACK_WRITE_KEY", "demo-e2e"},
             {"FLOWTRACK_STATE_DIR", state_.string()},
             {"FLOWTRACK_CLOSE_TIMEOUT_MS", "1000"}};
    o.unset_env = {"DO_NOT_TRACK", "FLOWTRACK_TELEMETRY_DISABLED", "FLOWTRACK_TELEMETRY_DEBUG", "DEBUG", "CI"};
    for (const auto& [k, v] : extra) o.env[k] = v;
    return o;
  }

  struct result {
    int exit_code;
    std::string out, err;
  };
  result demo(const std::string& url, std::vector<std::string> args,
              const std::map<std::string, std::string>& extra = {}, std::string stdin_data = {}) {
    args.insert(args.begin(), sibling_binary("flowtrack-demo"));
    auto options = env_for(url, extra);
    options.stdin_data = std::move(stdin_data);
    child_process p(args, options);
    const int code = p.exit_code();
    return {code, p.output(), p.errors()};
  }

  static json events(const std::string& url, const std::string& query = "") {
    return http_get(url, "/admin/events" + query).json()["events"];
  }
  static int ingest_requests(const std::string& url) { return http_get(url, "/admin/stats").json()["requests"]; }

  // Exactly one Invoked and one Completed for each invocation; returns the Completed events.
  static std::vector<json> completed_per_invocation(const std::string& url) {
    std::map<std::string, std::vector<json>> by_invocation;
    for (const auto& e : events(url, "?type=track")) {
      if (e["event"] == "Command Invoked" || e["event"] == "Command Completed")
        by_invocation[e["properties"]["invocation_id"]].push_back(e);
    }
    std::vector<json> completed;
    for (auto& [id, evs] : by_invocation) {
      EXPECT_EQ(evs.size(), 2u) << id;
      if (evs.size() != 2) continue;
      const json& invoked = evs[0]["event"] == "Command Invoked" ? evs[0] : evs[1];
      const json& done = evs[0]["event"] == "Command Completed" ? evs[0] : evs[1];
      EXPECT_EQ(invoked["event"], "Command Invoked");
      EXPECT_EQ(done["event"], "Command Completed");
      EXPECT_GT(done["properties"]["sequence"].get<int>(), invoked["properties"]["sequence"].get<int>());
      EXPECT_EQ(done["properties"]["command"], invoked["properties"]["command"]);
      completed.push_back(done);
    }
    return completed;
  }

  temp_dir tmp_{"flowtrack-demo-e2e"};
  const std::filesystem::path& state_ = tmp_.path();
};

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
  auto first = demo(mock.url(), {"login", "--user", "grace-hopper"});
  EXPECT_EQ(first.exit_code, 0);
  EXPECT_NE(first.err.find("collects anonymous usage data"), std::string::npos);  // first-run notice, on stderr
  EXPECT_EQ(first.out.find("anonymous usage"), std::string::npos);
  EXPECT_EQ(demo(mock.url(), {"deploy", "web", "--step-ms", "5"}).exit_code, 0);
  auto failed = demo(mock.url(), {"deploy", "web", "--step-ms", "5", "--fail-at", "upload"});
  EXPECT_EQ(failed.exit_code, 1);
  EXPECT_EQ(failed.err.find("anonymous usage"), std::string::npos);  // the notice shows once
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
