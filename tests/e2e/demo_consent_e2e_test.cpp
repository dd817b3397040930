// flowtrack-demo end to end: the first-run notice (consent before sending), the failure reason
// on stderr, Ctrl-C during the wizard's blocking read, and opt-outs that make no request at all.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>

#include "demo_fixture.hpp"

namespace flowtrack::test {
namespace {

using namespace std::chrono_literals;

// A loopback listener that never answers: every connection anything makes to it waits in its
// backlog, and connections() counts them (after the client process has exited, so nothing
// is in flight). It proves "zero requests of any kind": telemetry, update check, anything.
class counting_listener {
 public:
  counting_listener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::listen(fd_, 128) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
      throw std::runtime_error("cannot listen on loopback");
    url_ = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  }
  ~counting_listener() {
    for (int c : accepted_) ::close(c);
    ::close(fd_);
  }
  counting_listener(const counting_listener&) = delete;
  counting_listener& operator=(const counting_listener&) = delete;

  const std::string& url() const { return url_; }
  int connections() {
    for (int c; (c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC)) >= 0;) accepted_.push_back(c);
    return static_cast<int>(accepted_.size());
  }

 private:
  int fd_ = -1;
  std::string url_;
  std::vector<int> accepted_;
};

class DemoConsentE2E : public DemoE2E {
 protected:
  const std::map<std::string, std::string> notice_not_hidden{{"FLOWTRACK_NO_TELEMETRY_NOTICE", ""}};
  std::filesystem::path telemetry_dir() const { return state_ / "telemetry"; }
};

TEST_F(DemoConsentE2E, FirstCommandShowsTheNoticeOnStderrAndSendsNothingTheSecondSends) {
  mock_process mock;
  auto first = demo(mock.url(), {"login", "--user", "ada"}, notice_not_hidden);
  EXPECT_EQ(first.exit_code, 0);
  EXPECT_NE(first.err.find("collects anonymous usage data"), std::string::npos) << first.err;
  EXPECT_NE(first.err.find("FLOWTRACK_NO_TELEMETRY_NOTICE=1 hides this notice"), std::string::npos);
  EXPECT_EQ(first.out.find("anonymous usage"), std::string::npos);  // never on stdout
  EXPECT_EQ(ingest_requests(mock.url()), 0);
  EXPECT_TRUE(events(mock.url()).empty());
  EXPECT_TRUE(std::filesystem::exists(telemetry_dir() / "notice_shown"));  // the persisted mark
  EXPECT_FALSE(std::filesystem::exists(telemetry_dir() / "spool"));         // no spool left behind
  EXPECT_FALSE(std::filesystem::exists(telemetry_dir() / "anonymous_id"));

  auto second = demo(mock.url(), {"whoami"}, notice_not_hidden);
  EXPECT_EQ(second.exit_code, 0);
  EXPECT_EQ(second.err.find("anonymous usage"), std::string::npos);  // shown once
  auto completed = completed_per_invocation(mock.url());
  ASSERT_EQ(completed.size(), 1u);  // the second command's events, none of the first's
  EXPECT_EQ(completed[0]["properties"]["command"], "whoami");
}

TEST_F(DemoConsentE2E, TheHideVariableSuppressesTheNoticeAndTheRunSends) {
  mock_process mock;
  auto run = demo(mock.url(), {"login", "--user", "ada"}, {{"FLOWTRACK_NO_TELEMETRY_NOTICE", "1"}});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.err, "");
  EXPECT_EQ(completed_per_invocation(mock.url()).size(), 1u);
  EXPECT_FALSE(std::filesystem::exists(telemetry_dir() / "notice_shown"));  // not seen: shows once if unset later
}

TEST_F(DemoConsentE2E, InCiWithoutAcknowledgmentNoNoticeAndNothingIsSent) {
  mock_process mock;
  auto extra = notice_not_hidden;
  extra["CI"] = "true";
  auto run = demo(mock.url(), {"login", "--user", "ada"}, extra);
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.err, "");  // nobody reads it; no noise in the build log
  EXPECT_EQ(ingest_requests(mock.url()), 0);
  EXPECT_FALSE(std::filesystem::exists(telemetry_dir() / "notice_shown"));
  extra["FLOWTRACK_NO_TELEMETRY_NOTICE"] = "1";  // the pipeline's owner acknowledges it
  EXPECT_EQ(demo(mock.url(), {"whoami"}, extra).exit_code, 0);
  auto completed = completed_per_invocation(mock.url());
  ASSERT_EQ(completed.size(), 1u);
  EXPECT_EQ(completed[0]["properties"]["ci"], true);
}

TEST_F(DemoConsentE2E, AFailedDeployPrintsItsReasonOnStderrAndExitsOne) {
  mock_process mock;
  ASSERT_EQ(demo(mock.url(), {"login", "--user", "ada"}).exit_code, 0);
  auto failed = demo(mock.url(), {"deploy", "web", "--step-ms", "1", "--fail-at", "upload"});
  EXPECT_EQ(failed.exit_code, 1);
  EXPECT_EQ(failed.err, "flowtrack-demo: deploy failed at upload: the upload of web was refused (--fail-at)\n");
  EXPECT_EQ(failed.out.find("deploy failed"), std::string::npos);
  bool recorded = false;
  for (const auto& c : completed_per_invocation(mock.url())) {
    if (c["properties"]["command"] != "deploy") continue;
    recorded = true;
    EXPECT_EQ(c["properties"]["error_class"], "demo::deploy_error");  // the class, never the message
    EXPECT_EQ(c.dump().find("refused"), std::string::npos);
  }
  EXPECT_TRUE(recorded);
}

TEST_F(DemoConsentE2E, CtrlCDuringTheWizardsBlockingReadIsAUserCancellation) {
  mock_process mock;
  // stdin is a FIFO the test keeps open: the wizard blocks in std::getline, as at a terminal.
  const auto fifo = state_ / "stdin.fifo";
  std::filesystem::create_directories(state_);
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const int keep_open = ::open(fifo.c_str(), O_RDWR | O_CLOEXEC);  // RDWR: never blocks, never EOF
  ASSERT_GE(keep_open, 0);
  const std::string cmd = "exec '" + sibling_binary("flowtrack-demo") + "' wizard < '" + fifo.string() + "'";
  child_process p({"/bin/sh", "-c", cmd}, env_for(mock.url()));
  ASSERT_TRUE(p.wait_for_output("name> ", 10s));
  p.signal(SIGINT);
  EXPECT_EQ(p.exit_code(), 130);
  ::close(keep_open);

  auto completed = completed_per_invocation(mock.url());
  ASSERT_EQ(completed.size(), 1u);
  const auto& c = completed[0]["properties"];
  EXPECT_EQ(c["command"], "wizard");
  EXPECT_EQ(c["user_cancelled"], true);
  EXPECT_EQ(c["exit_code"], 130);
  EXPECT_EQ(c["error_class"], "cancelled");
  auto flows = events(mock.url(), "?event=Flow%20Completed");
  ASSERT_EQ(flows.size(), 1u);
  EXPECT_EQ(flows[0]["properties"]["outcome"], "cancelled");  // the flow agrees
}

TEST_F(DemoConsentE2E, DoNotTrackMakesZeroRequestsOfAnyKind) {
  counting_listener endpoint;  // telemetry endpoint AND update-check host
  const std::map<std::string, std::string> dnt{{"DO_NOT_TRACK", "1"}, {"FLOWTRACK_CLOSE_TIMEOUT_MS", "300"},
                                               {"FLOWTRACK_UPDATE_TIMEOUT_MS", "300"}};
  EXPECT_EQ(demo(endpoint.url(), {"login", "--user", "ada"}, dnt).exit_code, 0);
  EXPECT_EQ(demo(endpoint.url(), {"whoami"}, dnt).exit_code, 0);  // succeeds: would run the update check
  EXPECT_EQ(demo(endpoint.url(), {"deploy", "web", "--step-ms", "1"}, dnt).exit_code, 0);
  EXPECT_EQ(demo(endpoint.url(), {"telemetry", "status"}, dnt).exit_code, 0);
  EXPECT_EQ(endpoint.connections(), 0);
  auto disabled = dnt;
  disabled.erase("DO_NOT_TRACK");
  disabled["FLOWTRACK_TELEMETRY_DISABLED"] = "1";
  EXPECT_EQ(demo(endpoint.url(), {"whoami"}, disabled).exit_code, 0);
  EXPECT_EQ(endpoint.connections(), 0);
  // The control: the same command without an opt-out does reach the host.
  auto control = dnt;
  control.erase("DO_NOT_TRACK");
  EXPECT_EQ(demo(endpoint.url(), {"whoami"}, control).exit_code, 0);
  EXPECT_GT(endpoint.connections(), 0);
}

TEST_F(DemoConsentE2E, TheUpdateCheckHasItsOwnOptOut) {
  mock_process mock;
  counting_listener update_host;
  ASSERT_EQ(demo(mock.url(), {"login", "--user", "ada"}).exit_code, 0);
  std::map<std::string, std::string> extra{{"FLOWTRACK_UPDATE_URL", update_host.url() + "/cli/latest-version"},
                                           {"FLOWTRACK_UPDATE_TIMEOUT_MS", "200"},
                                           {"FLOWTRACK_NO_UPDATE_NOTIFIER", "1"}};
  EXPECT_EQ(demo(mock.url(), {"whoami"}, extra).exit_code, 0);
  EXPECT_EQ(update_host.connections(), 0);
  EXPECT_EQ(completed_per_invocation(mock.url()).size(), 2u);  // telemetry itself still on
  extra.erase("FLOWTRACK_NO_UPDATE_NOTIFIER");
  EXPECT_EQ(demo(mock.url(), {"whoami"}, extra).exit_code, 0);
  EXPECT_EQ(update_host.connections(), 1);  // the control
}

}  // namespace
}  // namespace flowtrack::test
