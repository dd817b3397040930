// flowtrack-demo end to end, as separate processes against mock-segment.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include "support/temp_dir.hpp"
#include "support/child_process.hpp"
#include "support/http_test_client.hpp"
#include "support/mock_process.hpp"

namespace flowtrack::test {
namespace {

// Whether this machine (or container) can listen on ::1.
bool ipv6_loopback_available() {
  const int fd = ::socket(AF_INET6, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  address.sin6_addr = in6addr_loopback;
  const bool bound = ::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return bound;
}

using json = nlohmann::json;
using namespace std::chrono_literals;

class DemoE2E : public ::testing::Test {
 protected:
  // Every test but the consent ones runs with the first-run notice acknowledged
  // (FLOWTRACK_NO_TELEMETRY_NOTICE=1), so its first command already sends.
  bool notice_acknowledged_ = true;

  child_options env_for(const std::string& url, const std::map<std::string, std::string>& extra = {}) const {
    child_options o;
    o.env = {{"FLOWTRACK_ENDPOINT", url},
             {"FLOWTRACK_WRITE_KEY", "demo-e2e"},
             {"FLOWTRACK_STATE_DIR", state_.string()},
             {"FLOWTRACK_CLOSE_TIMEOUT_MS", "1000"},
             // A drainer a test leaves behind (handoff_e2e_test.cpp tests them) is gone soon.
             {"FLOWTRACK_TELEMETRY_DRAINER_LIFETIME_MS", "5000"}};
    if (notice_acknowledged_) o.env["FLOWTRACK_NO_TELEMETRY_NOTICE"] = "1";
    // The variables that change what telemetry does, and every CI marker (the rule for CI has
    // tests of its own): the tests see the same whether ctest runs on a laptop or in CI.
    o.unset_env = {"DO_NOT_TRACK", "FLOWTRACK_TELEMETRY_DISABLED", "FLOWTRACK_TELEMETRY_DEBUG", "DEBUG",
                   "FLOWTRACK_NO_TELEMETRY_HANDOFF", "FLOWTRACK_TELEMETRY_HANDOFF_GRACE_MS",
                   "FLOWTRACK_NO_UPDATE_NOTIFIER", "FLOWTRACK_UPDATE_URL", "CI", "GITHUB_ACTIONS", "GITLAB_CI",
                   "BUILDKITE", "CIRCLECI", "JENKINS_URL", "TF_BUILD", "TEAMCITY_VERSION", "TRAVIS",
                   "BITBUCKET_BUILD_NUMBER", "CODEBUILD_BUILD_ID"};
    if (!notice_acknowledged_) o.unset_env.emplace_back("FLOWTRACK_NO_TELEMETRY_NOTICE");
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
  // mock-segment's request log: every request to an ingest path, whatever its method or answer.
  static json request_log(const std::string& url) { return http_get(url, "/admin/requests").json()["requests"]; }
  static std::string host_of(const std::string& url) { return url.substr(url.find("://") + 3); }

  // Exactly one Invoked and one Completed for each invocation; returns the Completed events.
  // Delivery is at least once: a batch whose answer comes after the close's grace is also handed
  // to the drainer and arrives twice, with the same messageIds, which Segment deduplicates. So
  // are they here.
  static std::vector<json> completed_per_invocation(const std::string& url) {
    std::map<std::string, std::vector<json>> by_invocation;
    std::set<std::string> seen_message_ids;
    for (const auto& e : events(url, "?type=track")) {
      if (!seen_message_ids.insert(e.value("messageId", "")).second) continue;
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

  // Not named after the write key ("demo-e2e"): the status test checks the key is never printed.
  temp_dir tmp_{"flowtrack-demo-state"};
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
  EXPECT_EQ(first.err.find("anonymous usage"), std::string::npos);  // acknowledged by the variable
  EXPECT_EQ(demo(mock.url(), {"deploy", "web", "--step-ms", "5"}).exit_code, 0);
  auto failed = demo(mock.url(), {"deploy", "web", "--step-ms", "5", "--fail-at", "upload"});
  EXPECT_EQ(failed.exit_code, 1);
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

// The update check reads its URL with the client's parser: an IPv6 literal works (the demo's
// own parser cut "[::1]:port" at its last colon).
TEST_F(DemoE2E, UpdateCheckReachesAnIpv6Literal) {
  if (!ipv6_loopback_available()) GTEST_SKIP() << "no IPv6 loopback (::1) on this machine";
  mock_process mock({"--host", "::1"});
  ASSERT_NE(mock.url().find("[::1]"), std::string::npos) << mock.url();
  ASSERT_EQ(http_post(mock.url(), "/admin/latest-version", R"({"version":"99.0.0"})").response.status, 200);
  ASSERT_EQ(demo(mock.url(), {"login", "--user", "ada"}).exit_code, 0);
  auto run = demo(mock.url(), {"whoami"},
                  {{"FLOWTRACK_UPDATE_URL", mock.url() + "/cli/latest-version"}, {"FLOWTRACK_UPDATE_TIMEOUT_MS", "5000"}});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.err.find("99.0.0 is available"), std::string::npos) << run.err;
}

// With the handoff turned off: the client's bounded close (handoff_e2e_test.cpp: with it).
TEST_F(DemoE2E, BlackHoledEndpointExitsInTimeAndTheNextRunDeliversEverything) {
  mock_process mock({"--mode", "blackhole"});
  const auto start = std::chrono::steady_clock::now();
  auto blocked = demo(mock.url(), {"login", "--user", "ada"}, {{"FLOWTRACK_NO_TELEMETRY_HANDOFF", "1"}});
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(blocked.exit_code, 0);
  // FLOWTRACK_CLOSE_TIMEOUT_MS=1000, plus the process's start and exit, which take up to a few
  // hundred ms on a loaded CI machine; still well under the default 3 s close and the black hole's
  // forever.
  EXPECT_LT(took, 1000ms + 1000ms) << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms";
  ASSERT_EQ(http_post(mock.url(), "/admin/mode", R"({"mode":"ok"})").response.status, 200);
  ASSERT_EQ(demo(mock.url(), {"whoami"}, {{"FLOWTRACK_NO_TELEMETRY_HANDOFF", "1"}}).exit_code, 0);
  auto completed = completed_per_invocation(mock.url());
  ASSERT_EQ(completed.size(), 2u);  // login's events arrived with whoami's run
}

TEST_F(DemoE2E, WriteAheadKeepsTheEventsOfARunKilledWithSigkill) {
  std::string nothing_listens;
  {
    mock_process gone;
    nothing_listens = gone.url();
  }
  mock_process mock;
  ASSERT_EQ(demo(mock.url(), {"login", "--user", "ada"}).exit_code, 0);
  auto options = env_for(nothing_listens, {{"FLOWTRACK_WRITE_AHEAD", "1"}});
  child_process killed({sibling_binary("flowtrack-demo"), "deploy", "web", "--step-ms", "60000"}, options);
  ASSERT_TRUE(killed.wait_for_output("validate: web", 10s));
  killed.signal(SIGKILL);
  EXPECT_EQ(killed.exit_code(), 128 + SIGKILL);
  ASSERT_EQ(demo(mock.url(), {"whoami"}).exit_code, 0);  // replays what the killed run wrote ahead
  bool deploy_invoked = false;
  for (const auto& e : events(mock.url(), "?type=track"))
    deploy_invoked = deploy_invoked || (e["event"] == "Command Invoked" && e["properties"]["command"] == "deploy");
  EXPECT_TRUE(deploy_invoked) << "the killed deploy's Command Invoked was written ahead and sent by the next run";
}

TEST_F(DemoE2E, TelemetryStatusSaysWhyTheSpoolFailed) {
  mock_process mock;
  ASSERT_EQ(demo(mock.url(), {"login", "--user", "ada"}).exit_code, 0);
  std::filesystem::remove_all(state_ / "telemetry" / "spool");
  std::ofstream(state_ / "telemetry" / "spool") << "a file where the spool directory goes";
  ASSERT_EQ(demo(mock.url(), {"whoami"}).exit_code, 0);
  const auto status = demo(mock.url(), {"telemetry", "status"});
  EXPECT_NE(status.out.find("; spool: "), std::string::npos) << status.out;
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

TEST_F(DemoE2E, FailAtUploadPrintsTheReasonOnStderrAndExits1) {
  mock_process mock;
  ASSERT_EQ(demo(mock.url(), {"login", "--user", "ada"}).exit_code, 0);
  auto failed = demo(mock.url(), {"deploy", "web", "--step-ms", "1", "--fail-at", "upload"});
  EXPECT_EQ(failed.exit_code, 1);
  const std::string line = "flowtrack-demo: deploy failed at upload: ";
  const auto at = failed.err.find(line);
  ASSERT_NE(at, std::string::npos) << failed.err;
  EXPECT_EQ(failed.err.find(line, at + 1), std::string::npos);  // one line
  EXPECT_NE(failed.err.find('\n', at), std::string::npos);
  EXPECT_EQ(failed.out.find("deploy failed"), std::string::npos);  // never on stdout
  EXPECT_NE(failed.out.find("upload: web..."), std::string::npos);  // the steps ran up to it
  // The event has the class only, never the message.
  for (const auto& c : completed_per_invocation(mock.url())) {
    if (c["properties"]["command"] != "deploy") continue;
    EXPECT_EQ(c["properties"]["error_class"], "demo::deploy_error");
    EXPECT_EQ(c.dump().find("deploy failed at"), std::string::npos);
  }
  // A successful deploy prints no such line.
  auto ok = demo(mock.url(), {"deploy", "web", "--step-ms", "1"});
  EXPECT_EQ(ok.exit_code, 0);
  EXPECT_EQ(ok.err.find("failed"), std::string::npos);
}

// Ctrl-C while the wizard waits for an answer on a terminal-like input (a FIFO the test keeps
// open, so the read really blocks): the read is cancelled, the flow and the command both say
// cancelled, and the exit code is 130.
TEST_F(DemoE2E, CtrlCDuringTheWizardsReadIsAUserCancellation) {
  mock_process mock;
  std::filesystem::create_directories(tmp_.path());
  const auto fifo = tmp_.path() / "wizard-input";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const int keep_open = ::open(fifo.c_str(), O_RDWR | O_CLOEXEC);  // a writer that never writes nor closes
  ASSERT_GE(keep_open, 0);
  // exec: the shell becomes the demo, so the signal reaches the demo itself.
  child_process p({"/bin/sh", "-c", R"(exec "$0" wizard <"$1")", sibling_binary("flowtrack-demo"), fifo.string()},
                  env_for(mock.url()));
  ASSERT_TRUE(p.wait_for_output("name> ", 10s)) << p.output();
  p.signal(SIGINT);
  EXPECT_EQ(p.exit_code(), 130) << p.errors();
  ::close(keep_open);

  auto completed = completed_per_invocation(mock.url());
  ASSERT_EQ(completed.size(), 1u);
  const auto& props = completed[0]["properties"];
  EXPECT_EQ(props["command"], "wizard");
  EXPECT_EQ(props["user_cancelled"], true);
  EXPECT_EQ(props["exit_code"], 130);
  EXPECT_EQ(props["error_class"], "cancelled");
  auto flows = events(mock.url(), "?event=Flow%20Completed");
  ASSERT_EQ(flows.size(), 1u);
  EXPECT_EQ(flows[0]["properties"]["outcome"], "cancelled");  // the flow agrees
}

// "quit" (and the end of the input) cancel the wizard too: the flow and the command agree.
TEST_F(DemoE2E, QuittingTheWizardIsAUserCancellation) {
  mock_process mock;
  auto quit = demo(mock.url(), {"wizard"}, {}, "proj\nquit\n");
  EXPECT_EQ(quit.exit_code, 130);
  auto completed = completed_per_invocation(mock.url());
  ASSERT_EQ(completed.size(), 1u);
  EXPECT_EQ(completed[0]["properties"]["user_cancelled"], true);
  auto flows = events(mock.url(), "?event=Flow%20Completed");
  ASSERT_EQ(flows.size(), 1u);
  EXPECT_EQ(flows[0]["properties"]["outcome"], "cancelled");
}

// DO_NOT_TRACK and FLOWTRACK_TELEMETRY_DISABLED: no request of any kind, the update check's
// included. The update check is pointed at an ingest path so that mock-segment's request log
// records it (its default /cli/latest-version is an unlogged admin path); the control run
// shows that it is recorded there when allowed.
TEST_F(DemoE2E, OptOutsMakeZeroRequestsOfAnyKind) {
  mock_process mock;
  const std::map<std::string, std::string> logged_update_check = {{"FLOWTRACK_UPDATE_URL", mock.url() + "/v1/batch"}};
  for (const char* opt_out : {"DO_NOT_TRACK", "FLOWTRACK_TELEMETRY_DISABLED"}) {
    auto env = logged_update_check;
    env[opt_out] = "1";
    EXPECT_EQ(demo(mock.url(), {"login", "--user", "ada"}, env).exit_code, 0) << opt_out;
    EXPECT_EQ(demo(mock.url(), {"whoami"}, env).exit_code, 0) << opt_out;
    EXPECT_EQ(demo(mock.url(), {"deploy", "web", "--step-ms", "1"}, env).exit_code, 0) << opt_out;
    EXPECT_EQ(demo(mock.url(), {"wizard"}, env, "p\neu\nyes\n").exit_code, 0) << opt_out;
    EXPECT_EQ(demo(mock.url(), {"telemetry", "status"}, env).exit_code, 0) << opt_out;
    EXPECT_TRUE(request_log(mock.url()).empty()) << opt_out << ": " << request_log(mock.url()).dump();
    EXPECT_EQ(ingest_requests(mock.url()), 0) << opt_out;
  }
  EXPECT_FALSE(std::filesystem::exists(state_ / "telemetry" / "spool"));

  // Control: allowed, the same command posts its events and asks for the version.
  EXPECT_EQ(demo(mock.url(), {"whoami"}, logged_update_check).exit_code, 0);
  std::multiset<std::string> methods;
  for (const auto& r : request_log(mock.url())) methods.insert(r["method"].get<std::string>());
  EXPECT_EQ(methods.count("POST"), 1u);
  EXPECT_EQ(methods.count("GET"), 1u);  // the update check

  // The update check's own opt-out: events still go, the version is not asked.
  auto env = logged_update_check;
  env["FLOWTRACK_NO_UPDATE_NOTIFIER"] = "1";
  EXPECT_EQ(demo(mock.url(), {"whoami"}, env).exit_code, 0);
  methods.clear();
  for (const auto& r : request_log(mock.url())) methods.insert(r["method"].get<std::string>());
  EXPECT_EQ(methods.count("POST"), 2u);
  EXPECT_EQ(methods.count("GET"), 1u);  // still only the control run's
}

TEST_F(DemoE2E, TelemetryStatusSaysWhatIsCollectedWhereItGoesAndWhy) {
  mock_process mock;
  auto enabled = demo(mock.url(), {"telemetry", "status"});
  EXPECT_EQ(enabled.exit_code, 0);
  for (const std::string& part : std::vector<std::string>{"telemetry:      enabled", "why:            on:", "collected:      app, app_version",
                                 "error_class", "flags (names only)", "never:          flag values",
                                 "sent to:        " + host_of(mock.url()), "pending:        0 event(s)",
                                 "docs:           docs/CLI-TELEMETRY.md"})
    EXPECT_NE(enabled.out.find(part), std::string::npos) << part << "\n" << enabled.out;
  EXPECT_EQ(enabled.out.find("demo-e2e"), std::string::npos);  // never the write key
  EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(FLOWTRACK_SOURCE_DIR) / "docs" / "CLI-TELEMETRY.md"));

  auto opted_out = demo(mock.url(), {"telemetry", "status"}, {{"DO_NOT_TRACK", "1"}});
  EXPECT_NE(opted_out.out.find("disabled by environment"), std::string::npos) << opted_out.out;
  EXPECT_NE(opted_out.out.find("why:            DO_NOT_TRACK is set"), std::string::npos) << opted_out.out;
  EXPECT_EQ(ingest_requests(mock.url()), 0);  // status sends nothing
}

TEST_F(DemoE2E, TelemetryStatusJsonForScriptsCountsPendingEvents) {
  mock_process mock({"--mode", "blackhole"});
  ASSERT_EQ(demo(mock.url(), {"login", "--user", "ada"}).exit_code, 0);  // its 2 events are spooled
  auto status = demo(mock.url(), {"telemetry", "status", "--json"});
  ASSERT_EQ(status.exit_code, 0);
  const json s = json::parse(status.out, nullptr, false);
  ASSERT_TRUE(s.is_object()) << status.out;
  EXPECT_EQ(s["state"], "enabled");
  EXPECT_EQ(s["endpoint_host"], host_of(mock.url()));
  EXPECT_EQ(s["docs"], "docs/CLI-TELEMETRY.md");
  EXPECT_EQ(s["notice_shown"], false);  // acknowledged by the variable, never shown
  EXPECT_NE(std::find(s["collected"].begin(), s["collected"].end(), "error_class"), s["collected"].end());
  EXPECT_EQ(s["spool"]["pending_events"], 2) << status.out;
  EXPECT_GE(s["spool"]["files"].get<int>(), 1);
  EXPECT_FALSE(s["reason"].get<std::string>().empty());
}

class DemoConsentE2E : public DemoE2E {
 protected:
  DemoConsentE2E() { notice_acknowledged_ = false; }
};

TEST_F(DemoConsentE2E, TheFirstCommandShowsTheNoticeAndSendsNothingTheSecondSends) {
  mock_process mock;
  auto first = demo(mock.url(), {"login", "--user", "ada"});
  EXPECT_EQ(first.exit_code, 0);
  EXPECT_NE(first.err.find("flowtrack-demo collects anonymous usage data"), std::string::npos) << first.err;
  EXPECT_NE(first.err.find("FLOWTRACK_NO_TELEMETRY_NOTICE=1"), std::string::npos);
  EXPECT_EQ(first.out.find("anonymous usage"), std::string::npos);  // stderr only
  EXPECT_NE(first.out.find("logged in as ada"), std::string::npos);  // the command itself ran
  EXPECT_EQ(ingest_requests(mock.url()), 0);                          // nothing received
  EXPECT_TRUE(request_log(mock.url()).empty());
  EXPECT_TRUE(events(mock.url()).empty());
  EXPECT_FALSE(std::filesystem::exists(state_ / "telemetry" / "spool"));  // nothing left to send later
  EXPECT_TRUE(std::filesystem::exists(state_ / "telemetry" / "notice_shown"));

  auto second = demo(mock.url(), {"whoami"});
  EXPECT_EQ(second.exit_code, 0);
  EXPECT_EQ(second.err.find("anonymous usage"), std::string::npos);  // once
  auto completed = completed_per_invocation(mock.url());
  ASSERT_EQ(completed.size(), 1u);
  EXPECT_EQ(completed[0]["properties"]["command"], "whoami");
}

TEST_F(DemoConsentE2E, TheHideVariableSuppressesTheNoticeAndTheFirstCommandSends) {
  mock_process mock;
  auto first = demo(mock.url(), {"login", "--user", "ada"}, {{"FLOWTRACK_NO_TELEMETRY_NOTICE", "1"}});
  EXPECT_EQ(first.exit_code, 0);
  EXPECT_EQ(first.err.find("anonymous usage"), std::string::npos) << first.err;
  auto completed = completed_per_invocation(mock.url());
  ASSERT_EQ(completed.size(), 1u);
  EXPECT_EQ(completed[0]["properties"]["command"], "login");
}

TEST_F(DemoConsentE2E, StatusBeforeTheNoticeSaysSoAndShowsNothing) {
  mock_process mock;
  auto status = demo(mock.url(), {"telemetry", "status"});
  EXPECT_NE(status.out.find("waiting for the first-run notice"), std::string::npos) << status.out;
  EXPECT_EQ(status.err.find("anonymous usage"), std::string::npos);  // status never shows it
  EXPECT_FALSE(std::filesystem::exists(state_ / "telemetry" / "notice_shown"));
}

TEST_F(DemoConsentE2E, InCiWithoutATerminalNothingIsShownOrSent) {
  mock_process mock;
  for (int run = 0; run < 2; ++run) {
    auto r = demo(mock.url(), {"login", "--user", "ada"}, {{"CI", "true"}});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.err.find("anonymous usage"), std::string::npos) << r.err;
  }
  EXPECT_EQ(ingest_requests(mock.url()), 0);
  auto status = demo(mock.url(), {"telemetry", "status"}, {{"CI", "true"}});
  EXPECT_NE(status.out.find("FLOWTRACK_NO_TELEMETRY_NOTICE=1"), std::string::npos) << status.out;
}

}  // namespace
}  // namespace flowtrack::test
