// Zero-wait exit, end to end: flowtrack-demo against mock-segment in every bad network, with the
// drainer processes it starts. Each test asserts no event lost, no duplicate beyond what the
// messageId dedupes, and no drainer left behind once its lifetime is over.
//
// The drainer is a detached process that no test can wait for (that is the point), so these
// tests poll mock-segment and /proc until a condition holds, with a deadline.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <csignal>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <set>
#include <thread>

#include "flowtrack/cli/handoff.hpp"
#include "support/child_process.hpp"
#include "support/http_test_client.hpp"
#include "support/mock_process.hpp"
#include "support/temp_dir.hpp"

namespace flowtrack::test {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

// A /proc file's text; empty when the process is gone, even mid-read (read(2) then fails with
// ESRCH, which a std::ifstream would throw from its iterators).
std::string read_proc_file(const std::string& path) {
  std::string text;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return text;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) text.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  return text;
}

// Running (a zombie, exited but not yet reaped by init, counts as gone).
bool process_alive(long pid) {
  if (pid <= 0 || ::kill(static_cast<pid_t>(pid), 0) != 0) return false;
  const std::string line = read_proc_file("/proc/" + std::to_string(pid) + "/stat");
  const auto end_of_name = line.rfind(')');
  return end_of_name != std::string::npos && end_of_name + 2 < line.size() && line[end_of_name + 2] != 'Z';
}

// Polls `done` every 20 ms until it holds or `limit` passes.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  const auto until = steady::now() + limit;
  for (;;) {
    if (done()) return true;
    if (steady::now() >= until) return false;
    std::this_thread::sleep_for(20ms);
  }
}

// The live drainer processes of this state directory: `--flowtrack-drain` on their command
// line and its drainer.lock as their descriptor 3.
int drainers_of(const std::filesystem::path& telemetry_dir) {
  int n = 0;
  std::error_code ec;  // processes come and go while /proc is listed: never throw
  for (auto it = std::filesystem::directory_iterator("/proc", ec); !ec && it != std::filesystem::directory_iterator();
       it.increment(ec)) {
    const auto& e = *it;
    const std::string pid = e.path().filename().string();
    if (pid.empty()) continue;
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string cmdline = read_proc_file((e.path() / "cmdline").string());
    if (cmdline.find(std::string(cli::drainer_argument)) == std::string::npos) continue;
    std::error_code link_ec;
    if (std::filesystem::read_symlink(e.path() / "fd" / "3", link_ec) == telemetry_dir / "drainer.lock" &&
        process_alive(std::stol(pid)))
      ++n;
  }
  return n;
}

// The drainer that holds the state directory's lock, 0 when none does.
long drainer_of(const std::filesystem::path& telemetry_dir) { return cli::probe_drainer(telemetry_dir).pid; }

class Handoff : public ::testing::Test {
 protected:
  void SetUp() override { std::filesystem::create_directories(state_); }
  void TearDown() override {
    // No drainer outlives its test by more than its lifetime: wait for it (it is bounded).
    const auto probe = cli::probe_drainer(telemetry_dir());
    if (probe.running) EXPECT_TRUE(eventually([&] { return !process_alive(probe.pid); }, lifetime_ + 3s));
  }

  std::filesystem::path telemetry_dir() const { return state_ / "telemetry"; }

  child_options env_for(const std::string& url, const std::map<std::string, std::string>& extra = {}) const {
    child_options o;
    o.env = {{"FLOWTRACK_ENDPOINT", url},
             {"FLOWTRACK_WRITE_KEY", "handoff-e2e"},
             {"FLOWTRACK_STATE_DIR", state_.string()},
             {"FLOWTRACK_CLOSE_TIMEOUT_MS", "3000"},
             {"FLOWTRACK_NO_TELEMETRY_NOTICE", "1"},
             {"FLOWTRACK_UPDATE_URL", "off"},
             {"FLOWTRACK_TELEMETRY_DRAINER_LIFETIME_MS", std::to_string(lifetime_.count())},
             {"DEBUG", "1"}};
    o.unset_env = {"DO_NOT_TRACK", "FLOWTRACK_TELEMETRY_DISABLED", "FLOWTRACK_TELEMETRY_DEBUG",
                   "FLOWTRACK_NO_TELEMETRY_HANDOFF", "FLOWTRACK_TELEMETRY_HANDOFF_GRACE_MS", "CI", "GITHUB_ACTIONS"};
    for (const auto& [k, v] : extra) o.env[k] = v;
    return o;
  }

  struct run {
    int exit_code;
    std::string err;
    std::chrono::milliseconds took;
  };
  run demo(const std::string& url, std::vector<std::string> args, const std::map<std::string, std::string>& extra = {}) {
    args.insert(args.begin(), sibling_binary("flowtrack-demo"));
    const auto start = steady::now();
    child_process p(args, env_for(url, extra));
    const int code = p.exit_code();
    return {code, p.errors(), std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - start)};
  }
  void login(const std::string& url) {
    ASSERT_EQ(demo(url, {"login", "--user", "ada"}, {{"FLOWTRACK_TELEMETRY_DISABLED", "1"}}).exit_code, 0);
  }

  static json stats(const std::string& url) { return http_get(url, "/admin/stats").json(); }
  static void mode(const std::string& url, const std::string& m) {
    ASSERT_EQ(http_post(url, "/admin/mode", json{{"mode", m}}.dump()).response.status, 200);
  }
  // Waits until `n` distinct events arrived; then none was lost, and any duplicate is one
  // messageId dedupes.
  static bool delivered(const std::string& url, int n, std::chrono::milliseconds limit) {
    return eventually([&] { return stats(url)["unique_message_ids"].get<int>() >= n; }, limit);
  }
  static int count(const std::string& text, const std::string& what) {
    int n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
  }
  static long pid_in(const std::string& err) {
    std::smatch m;
    static const std::regex re(R"(new drainer \(pid (\d+)\))");
    return std::regex_search(err, m, re) ? std::stol(m[1]) : 0;
  }
  temp_dir dir_{"handoff-e2e"};
  std::filesystem::path state_ = dir_.path() / "state";
  std::chrono::milliseconds lifetime_ = 10s;
};

// The spool's pending events, as `telemetry status --json` reports them.
std::size_t pending_events(const std::filesystem::path& state, const std::string& url) {
  child_options o;
  o.env = {{"FLOWTRACK_STATE_DIR", state.string()}, {"FLOWTRACK_ENDPOINT", url}, {"FLOWTRACK_WRITE_KEY", "k"}};
  child_process p({sibling_binary("flowtrack-demo"), "telemetry", "status", "--json"}, o);
  EXPECT_EQ(p.exit_code(), 0);
  return json::parse(p.output())["spool"]["pending_events"].get<std::size_t>();
}

TEST_F(Handoff, UnresponsiveEndpointCostsTheGraceOnceThenNothingAndTheDrainerDeliversAfterRecovery) {
  mock_process mock({"--mode", "blackhole"});
  login(mock.url());
  // A grace far above a process's start-up time, so "no grace spent" is plain in the timings.
  const std::map<std::string, std::string> grace = {{"FLOWTRACK_TELEMETRY_HANDOFF_GRACE_MS", "1500"}};
  std::vector<run> runs;
  runs.reserve(5);
  for (int i = 0; i < 5; ++i) runs.push_back(demo(mock.url(), {"whoami"}, grace));
  for (const auto& r : runs) EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GE(runs[0].took, 1500ms - 60ms) << "the first close tries for the grace (sending stops spool_reserve before)";
  EXPECT_EQ(count(runs[0].err, "handed to a new drainer"), 1) << runs[0].err;
  const long pid = pid_in(runs[0].err);
  ASSERT_GT(pid, 0);
  for (int i = 1; i < 5; ++i) {
    EXPECT_LT(runs[i].took, 1500ms) << "a drainer runs: no grace, run " << i;
    EXPECT_EQ(count(runs[i].err, "spooled for the drainer already running"), 1) << runs[i].err;
  }
  EXPECT_TRUE(process_alive(pid));
  EXPECT_EQ(drainer_of(telemetry_dir()), pid);

  mode(mock.url(), "ok");  // recovery: no further command
  EXPECT_TRUE(delivered(mock.url(), 10, 5s + 1s)) << stats(mock.url()).dump();
  EXPECT_TRUE(eventually([&] { return !process_alive(pid); }, 1s)) << "the drainer exits once the spool is empty";
  EXPECT_EQ(stats(mock.url())["unique_message_ids"], 10);
  EXPECT_EQ(pending_events(state_, mock.url()), 0u);
}

TEST_F(Handoff, TheDrainerIsDetachedAndHoldsNothingOfItsParent) {
  mock_process mock({"--mode", "blackhole"});
  login(mock.url());
  const auto r = demo(mock.url(), {"whoami"}, {{"FLOWTRACK_TELEMETRY_HANDOFF_GRACE_MS", "50"}});
  const long pid = pid_in(r.err);
  ASSERT_GT(pid, 0) << r.err;
  const std::string proc = "/proc/" + std::to_string(pid);
  // Set up once it has read its request (it lowers its priority last).
  ASSERT_TRUE(eventually([&] { return ::getpriority(PRIO_PROCESS, static_cast<id_t>(pid)) == 10; }, 5s));
  EXPECT_EQ(::getsid(static_cast<pid_t>(pid)), pid) << "its own session: a Ctrl-C in the terminal does not reach it";
  EXPECT_NE(::getpgid(static_cast<pid_t>(pid)), ::getpgid(0));
  // Nothing inherited but its lock: no pipe (the parent's output went to pipes the test reads),
  // and what it opened itself (its event loop, sockets, spool files) is numbered above 3.
  for (const auto& e : std::filesystem::directory_iterator(proc + "/fd")) {
    std::error_code ec;
    const auto target = std::filesystem::read_symlink(e.path(), ec).string();
    EXPECT_EQ(target.rfind("pipe:", 0), std::string::npos) << "fd " << e.path().filename() << " -> " << target;
  }
  for (const char* fd : {"0", "1", "2"}) EXPECT_EQ(std::filesystem::read_symlink(proc + "/fd/" + fd), "/dev/null") << fd;
  EXPECT_EQ(std::filesystem::read_symlink(proc + "/fd/3"), telemetry_dir() / "drainer.lock");
  EXPECT_EQ(std::filesystem::read_symlink(proc + "/cwd"), "/");
  EXPECT_EQ(::getpriority(PRIO_PROCESS, static_cast<id_t>(pid)), 10);
  const std::string cmdline = read_proc_file(proc + "/cmdline");
  EXPECT_EQ(cmdline.find("handoff-e2e"), std::string::npos) << "the write key is never on its command line";
  EXPECT_NE(cmdline.find(std::string(cli::drainer_argument)), std::string::npos);
  mode(mock.url(), "ok");
  EXPECT_TRUE(delivered(mock.url(), 2, 6s));
  EXPECT_TRUE(eventually([&] { return !process_alive(pid); }, 2s));
}

TEST_F(Handoff, NothingListeningHandsOffAtOnceAndTheDrainerDeliversWhenTheServerComesUp) {
  std::string port;
  std::string url;
  {
    mock_process gone;
    url = gone.url();
    port = url.substr(url.rfind(':') + 1);
  }
  mock_process first({});  // for the login only
  login(first.url());
  const auto r = demo(url, {"whoami"}, {{"FLOWTRACK_TELEMETRY_HANDOFF_GRACE_MS", "5000"}});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_LT(r.took, 2500ms) << "refused: spooled at once, not after the grace\n" << r.err;
  const long pid = pid_in(r.err);
  ASSERT_GT(pid, 0) << r.err;
  mock_process mock({"--port", port});  // the server comes up where the command sent
  EXPECT_TRUE(delivered(mock.url(), 2, 5s));
  EXPECT_TRUE(eventually([&] { return !process_alive(pid); }, 2s));
  EXPECT_EQ(stats(mock.url())["unique_message_ids"], 2);
}

TEST_F(Handoff, AStormOf500sIsHandedOffAndDeliveredAfterIt) {
  mock_process mock({"--mode", "error500"});
  login(mock.url());
  const auto r1 = demo(mock.url(), {"whoami"});
  const auto r2 = demo(mock.url(), {"whoami"});
  EXPECT_EQ(count(r1.err, "handed to a new drainer"), 1) << r1.err;
  EXPECT_EQ(count(r2.err, "spooled for the drainer already running"), 1) << r2.err;
  const long pid = pid_in(r1.err);
  mode(mock.url(), "ok");
  EXPECT_TRUE(delivered(mock.url(), 4, 5s)) << stats(mock.url()).dump();
  EXPECT_TRUE(eventually([&] { return !process_alive(pid); }, 2s));
}

TEST_F(Handoff, AHostThatDoesNotResolveStaysSpooledPastTheLifetimeAndTheNextRunSendsIt) {
  lifetime_ = 1500ms;
  mock_process mock;
  login(mock.url());
  const auto r = demo("http://flowtrack-e2e.invalid:1", {"whoami"});
  EXPECT_EQ(r.exit_code, 0);
  const long pid = pid_in(r.err);
  ASSERT_GT(pid, 0) << r.err;
  const auto started = steady::now();
  ASSERT_TRUE(eventually([&] { return !process_alive(pid); }, lifetime_ + 3s));
  EXPECT_LT(steady::now() - started, lifetime_ + 1s + 500ms) << "gone within its lifetime + 1 s";
  EXPECT_EQ(pending_events(state_, mock.url()), 2u) << "what it could not deliver stays spooled";
  // The next run, on a good network: its close skips the grace (the handoff is not delivered
  // yet), and the drainer it starts sends both runs' events.
  const auto next = demo(mock.url(), {"whoami"});
  EXPECT_TRUE(delivered(mock.url(), 4, 5s)) << next.err;
  EXPECT_EQ(stats(mock.url())["unique_message_ids"], 4);
}

TEST_F(Handoff, TheDrainerExitsAtItsLifetimeAndTheEventsWaitForTheNextRun) {
  lifetime_ = 2000ms;
  mock_process mock({"--mode", "blackhole"});
  login(mock.url());
  const auto r = demo(mock.url(), {"whoami"}, {{"FLOWTRACK_TELEMETRY_HANDOFF_GRACE_MS", "50"}});
  const long pid = pid_in(r.err);
  ASSERT_GT(pid, 0) << r.err;
  const auto started = steady::now();
  ASSERT_TRUE(eventually([&] { return !process_alive(pid); }, lifetime_ + 3s));
  EXPECT_GE(steady::now() - started, lifetime_ - 500ms) << "it tried for its lifetime";
  EXPECT_LT(steady::now() - started, lifetime_ + 1s + 500ms);
  EXPECT_EQ(pending_events(state_, mock.url()), 2u);
  EXPECT_EQ(stats(mock.url())["unique_message_ids"], 0);
  mode(mock.url(), "ok");
  demo(mock.url(), {"whoami"});
  EXPECT_TRUE(delivered(mock.url(), 4, 5s));
}

TEST_F(Handoff, TwentyParallelCommandsShareOneDrainer) {
  lifetime_ = 15s;
  mock_process mock({"--mode", "blackhole"});
  login(mock.url());
  // At any moment, at most one drainer: watched from before the first command to the end.
  std::atomic<bool> watching{true};
  std::atomic<int> most_at_once{0};
  std::thread watcher([&] {
    while (watching) {
      const int n = drainers_of(telemetry_dir());
      if (n > most_at_once) most_at_once = n;
      std::this_thread::sleep_for(2ms);
    }
  });
  std::vector<std::unique_ptr<child_process>> runs;
  runs.reserve(20);
  const auto options = env_for(mock.url(), {{"FLOWTRACK_TELEMETRY_HANDOFF_GRACE_MS", "100"}});
  for (int i = 0; i < 20; ++i)
    runs.push_back(std::make_unique<child_process>(std::vector<std::string>{sibling_binary("flowtrack-demo"), "whoami"}, options));
  // While they run and after: one lock holder at a time (the lock is passed from the close
  // that starts a drainer to the drainer, never dropped between).
  std::set<long> holders;
  int started = 0, left_to_running = 0;
  for (auto& p : runs) {
    EXPECT_EQ(p->exit_code(), 0);
    holders.insert(drainer_of(telemetry_dir()));
    started += count(p->errors(), "handed to a new drainer");
    left_to_running += count(p->errors(), "spooled for the drainer already running");
  }
  // Usually one for the twenty; another only after the first found nothing it could take (a
  // command held the backlog, replaying it) and exited.
  EXPECT_GE(started, 1);
  EXPECT_LE(started, 3);
  EXPECT_EQ(started + left_to_running, 20) << "every command handed off";
  holders.erase(0);
  EXPECT_GE(holders.size(), 1u);
  mode(mock.url(), "ok");
  const bool all = delivered(mock.url(), 40, 5s + 5s);  // + one black-holed round
  EXPECT_TRUE(all) << stats(mock.url()).dump();
  if (!all) {  // what is left, for the record
    for (const auto& e : std::filesystem::directory_iterator(telemetry_dir() / "spool"))
      ADD_FAILURE() << "left: " << e.path().filename() << " " << std::filesystem::file_size(e.path()) << " bytes";
    for (const auto& e : std::filesystem::directory_iterator(telemetry_dir())) ADD_FAILURE() << "state: " << e.path().filename();
    ADD_FAILURE() << "pending " << pending_events(state_, mock.url());
    for (auto& p : runs) ADD_FAILURE() << p->errors().substr(p->errors().rfind("close:"));
  }
  EXPECT_TRUE(eventually([&] { return drainers_of(telemetry_dir()) == 0; }, 2s)) << "all gone once delivered";
  watching = false;
  watcher.join();
  EXPECT_EQ(most_at_once.load(), 1) << "never two drainers at once";
  EXPECT_EQ(stats(mock.url())["unique_message_ids"], 40);
}

TEST_F(Handoff, AHealthyEndpointStartsNoDrainer) {
  mock_process mock;
  login(mock.url());
  for (int i = 0; i < 3; ++i) {
    const auto r = demo(mock.url(), {"whoami"});
    EXPECT_EQ(count(r.err, "delivered within the grace: no drainer"), 1) << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists(telemetry_dir() / "drainer.lock")) << "no drainer was ever started";
  EXPECT_EQ(stats(mock.url())["unique_message_ids"], 6);
}

TEST_F(Handoff, DisabledTelemetryOfAnyKindStartsNoDrainerAndSendsNothing) {
  mock_process mock({"--mode", "blackhole"});
  login(mock.url());
  // Something pending behind an unresponsive endpoint, with the handoff off: a drainer would
  // have work if anything started one.
  demo(mock.url(), {"whoami"}, {{"FLOWTRACK_NO_TELEMETRY_HANDOFF", "1"}, {"FLOWTRACK_CLOSE_TIMEOUT_MS", "200"}});
  ASSERT_EQ(pending_events(state_, mock.url()), 2u);
  mode(mock.url(), "ok");
  ASSERT_EQ(http_post(mock.url(), "/admin/reset", "{}").response.status, 200);
  const std::vector<std::map<std::string, std::string>> off = {
      {{"DO_NOT_TRACK", "1"}}, {{"FLOWTRACK_TELEMETRY_DISABLED", "1"}}, {{"FLOWTRACK_TELEMETRY_DEBUG", "1"}},
      {{"FLOWTRACK_WRITE_KEY", ""}}};
  for (const auto& env : off) {
    const auto r = demo(mock.url(), {"whoami"}, env);
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(count(r.err, "drainer"), 0) << env.begin()->first << ": " << r.err;
  }
  ASSERT_EQ(demo(mock.url(), {"telemetry", "disable"}).exit_code, 0);
  EXPECT_EQ(count(demo(mock.url(), {"whoami"}).err, "drainer"), 0);
  EXPECT_FALSE(std::filesystem::exists(telemetry_dir() / "drainer.lock"));
  EXPECT_EQ(stats(mock.url())["requests"], 0) << "not one request";
  EXPECT_EQ(pending_events(state_, mock.url()), 2u);
}

TEST_F(Handoff, TurnedOffTheCloseWaitsAsBeforeAndStartsNoDrainer) {
  mock_process mock({"--mode", "blackhole"});
  login(mock.url());
  const auto r = demo(mock.url(), {"whoami"}, {{"FLOWTRACK_NO_TELEMETRY_HANDOFF", "1"}, {"FLOWTRACK_CLOSE_TIMEOUT_MS", "800"}});
  EXPECT_GE(r.took, 800ms - 100ms);
  EXPECT_EQ(count(r.err, "handoff: handoff disabled"), 1) << r.err;
  EXPECT_FALSE(std::filesystem::exists(telemetry_dir() / "drainer.lock"));
  EXPECT_EQ(pending_events(state_, mock.url()), 2u);
}

}  // namespace
}  // namespace flowtrack::test
