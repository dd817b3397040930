// flowtrack-bench w2: CLI invocation. Runs a whole CLI command as a child process (by default
// `flowtrack-demo whoami`: Command Invoked + Command Completed + close) and measures its wall
// time with telemetry disabled and with the sink ok, black-holed or not listening. After a
// black-holed or refused run it runs the command again with the sink ok (the "next run") and
// reads back from the sink how many of the first run's events arrived: lost = expected -
// delivered now - delivered on the next run.
//
// The command gets flowtrack-demo's variables: FLOWTRACK_ENDPOINT, FLOWTRACK_WRITE_KEY,
// FLOWTRACK_STATE_DIR (one directory per invocation, kept across the first and the next run),
// FLOWTRACK_CLOSE_TIMEOUT_MS, FLOWTRACK_UPDATE_URL=off (the demo's update check would add its
// own request) and FLOWTRACK_TELEMETRY_DISABLED=1 for the baseline. Any other command that
// honours them can be measured the same way (`-- node w2.mjs`, bench/peers/).
//
// Counting: the sink is reset before each run and its `events_accepted` read after it, so the
// sink must be used by this workload alone while it runs (mock-segment, full or --lean).
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <thread>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "flowtrack/cli/handoff.hpp"
#include "support/child_process.hpp"
#include "support/http_test_client.hpp"
#include "support/temp_dir.hpp"

namespace flowtrack::bench {
namespace {

using namespace std::chrono_literals;

struct w2_options {
  std::string endpoint;
  std::string sink = "ok";
  std::string demo;
  std::vector<std::string> command;
  std::string client = "flowtrack";
  int runs = 5;
  int close_timeout_ms = 3000;
  int events_per_run = 2;
  /// "on": the demo's default zero-wait exit (a drainer delivers what the grace left);
  /// "off": FLOWTRACK_NO_TELEMETRY_HANDOFF=1, the client's bounded close (the figures before it).
  std::string handoff = "off";
  int drainer_lifetime_ms = 60000;
};

/// A loopback port bound but never listening: connecting to it is refused, and no other
/// process can take it while this object lives.
class refused_port {
 public:
  refused_port() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      throw std::runtime_error("cannot bind a loopback port");
    url_ = "http://127.0.0.1:" + std::to_string(ntohs(a.sin_port));
  }
  ~refused_port() { ::close(fd_); }
  refused_port(const refused_port&) = delete;
  refused_port& operator=(const refused_port&) = delete;
  const std::string& url() const noexcept { return url_; }

 private:
  int fd_;
  std::string url_;
};

/// The sink's admin API (mock-segment).
class sink_admin {
 public:
  explicit sink_admin(std::string url) : url_(std::move(url)) {}
  void reset() const { post("/admin/reset", ""); }
  void mode(const std::string& m) const { post("/admin/mode", json{{"mode", m}}.dump()); }
  long accepted() const {
    const auto r = flowtrack::test::http_get(url_, "/admin/stats");
    const auto j = r.json();
    if (r.error || r.response.status != 200 || !j.is_object()) throw std::runtime_error("GET /admin/stats failed at " + url_);
    return j.value("events_accepted", 0L);
  }

 private:
  void post(const std::string& target, const std::string& body) const {
    const auto r = flowtrack::test::http_post(url_, target, body);
    if (r.error || r.response.status != 200) throw std::runtime_error("POST " + target + " failed at " + url_);
  }
  std::string url_;
};

json median_min_max(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  const double median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  return {{"median", median}, {"min", v.front()}, {"max", v.back()}};
}

class w2_runner {
 public:
  explicit w2_runner(const w2_options& o) : o_(o), sink_(o.endpoint) {
    std::filesystem::create_directories(state_.path());
    if (o.sink != "ok" && o.sink != "blackhole" && o.sink != "down" && o.sink != "storm" && o.sink != "dns")
      throw std::runtime_error("--sink: ok, blackhole, down, storm or dns");
    if ((o.sink == "storm" || o.sink == "dns") && o.handoff != "on") throw std::runtime_error("--sink storm|dns: with --handoff on");
    argv_ = o.command;
    if (argv_.empty()) {
      if (o.demo.empty()) throw std::runtime_error("w2 needs --demo PATH or a command after --");
      argv_ = {o.demo, "whoami"};
      // whoami needs a login; done with telemetry off, so it sends nothing.
      run_child({o.demo, "login", "--user", "bench"}, o.endpoint, true);
    }
  }

  json run() {
    if (o_.handoff == "on") return run_with_handoff();
    sink_.mode("ok");
    // Unmeasured warm-up (page cache, the first run's anonymous id and notice), then measure.
    run_child(argv_, o_.endpoint, true);
    run_child(argv_, o_.endpoint, false);
    std::vector<double> disabled, wall, next_wall;
    long delivered_now = 0, delivered_next = 0;
    for (int i = 0; i < o_.runs; ++i) {
      sink_.reset();
      disabled.push_back(run_child(argv_, o_.endpoint, true));
      if (sink_.accepted() != 0) throw std::runtime_error("the command sent events with telemetry disabled");

      sink_.reset();
      if (o_.sink == "blackhole") sink_.mode("blackhole");
      wall.push_back(run_child(argv_, o_.sink == "down" ? refused_.url() : o_.endpoint, false));
      delivered_now += sink_.accepted();
      if (o_.sink == "ok") continue;

      sink_.mode("ok");
      sink_.reset();
      next_wall.push_back(run_child(argv_, o_.endpoint, false));
      delivered_next += sink_.accepted() - o_.events_per_run;  // minus the next run's own events
    }
    const long expected = static_cast<long>(o_.runs) * o_.events_per_run;
    json out = {{"workload", "w2"},
                {"client", o_.client},
                {"command", describe()},
                {"sink", o_.sink},
                {"runs", o_.runs},
                {"close_deadline_ms", o_.close_timeout_ms},
                {"events_per_run", o_.events_per_run},
                {"disabled_wall_ms", median_min_max(disabled)},
                {"wall_ms", median_min_max(wall)},
                {"wall_ms_runs", wall},
                {"disabled_wall_ms_runs", disabled},
                {"expected", expected},
                {"delivered_now", delivered_now},
                {"delivered_next_run", delivered_next},
                {"lost", expected - delivered_now - delivered_next}};
    out["delta_ms"] = out["wall_ms"]["median"].get<double>() - out["disabled_wall_ms"]["median"].get<double>();
    if (!next_wall.empty()) out["next_run_wall_ms"] = median_min_max(next_wall);
    add_target(out);
    return out;
  }

  // With the handoff: the runs share the state directory as a user's commands do, so a drainer
  // started by one is there for the next. After the runs the sink recovers (blackhole: mode ok;
  // down: the drainer's lifetime ends and one more run goes to the healthy sink) and nothing
  // else runs: the drainer must deliver every event by itself, within `recovery_limit`.
  json run_with_handoff() {
    sink_.mode("ok");
    run_child(argv_, o_.endpoint, true);
    run_child(argv_, o_.endpoint, false);  // warm-up, delivered by a healthy sink: no drainer
    sink_.reset();
    std::vector<double> disabled, wall;
    std::set<long> drainers;
    for (int i = 0; i < o_.runs; ++i) {
      disabled.push_back(run_child(argv_, o_.endpoint, true));
      if (o_.sink == "blackhole") sink_.mode("blackhole");
      if (o_.sink == "storm") sink_.mode("error500");
      wall.push_back(run_child(argv_, bad_endpoint(), false));
      if (auto p = flowtrack::cli::probe_drainer(telemetry_dir()); p.running) drainers.insert(p.pid);
    }
    const long expected = static_cast<long>(o_.runs) * o_.events_per_run;
    const long delivered_now = sink_.accepted();
    double recovery_ms = -1;
    long extra_run_events = 0;
    if (o_.sink != "ok") {
      if (o_.sink == "down" || o_.sink == "dns") {  // the drainer sends where nothing answers: let its lifetime end
        wait_for([&] { return !flowtrack::cli::probe_drainer(telemetry_dir()).running; }, std::chrono::milliseconds(o_.drainer_lifetime_ms) + 5s);
        run_child(argv_, o_.endpoint, false);
        extra_run_events = o_.events_per_run;
        if (auto p = flowtrack::cli::probe_drainer(telemetry_dir()); p.running) drainers.insert(p.pid);
      }
      sink_.mode("ok");
      const auto t0 = steady::now();
      if (wait_for([&] { return sink_.accepted() >= expected + extra_run_events; }, 20s))
        recovery_ms = std::chrono::duration<double, std::milli>(steady::now() - t0).count();
    }
    wait_for([&] { return !flowtrack::cli::probe_drainer(telemetry_dir()).running; }, 5s);
    const long delivered = sink_.accepted() - extra_run_events;
    json out = {{"workload", "w2"},
                {"client", o_.client},
                {"command", describe()},
                {"sink", o_.sink},
                {"handoff", "on"},
                {"runs", o_.runs},
                {"close_deadline_ms", o_.close_timeout_ms},
                {"events_per_run", o_.events_per_run},
                {"disabled_wall_ms", median_min_max(disabled)},
                {"wall_ms", median_min_max(wall)},
                {"first_run_wall_ms", wall.front()},
                {"wall_ms_runs", wall},
                {"disabled_wall_ms_runs", disabled},
                {"drainers_started", drainers.size()},
                {"expected", expected},
                {"delivered_now", delivered_now},
                {"delivered_by_drainer", delivered - delivered_now},
                {"recovery_to_delivered_ms", recovery_ms},
                {"lost", expected - delivered}};
    out["delta_ms"] = out["wall_ms"]["median"].get<double>() - out["disabled_wall_ms"]["median"].get<double>();
    const bool lossless = out["lost"] == 0;
    if (o_.sink == "ok") {
      out["target"] = "delta <= 5 ms (handoff: +2 ms of the bounded close's), no drainer, zero lost";
      out["meets_target"] = out["delta_ms"].get<double>() <= 5 && drainers.empty() && lossless;
    } else {
      out["target"] = "delta <= 5 ms (median of the runs), delivered within 5 s of recovery, zero lost";
      out["meets_target"] = out["delta_ms"].get<double>() <= 5 && lossless && recovery_ms >= 0 && recovery_ms <= 5000;
    }
    return out;
  }

 private:
  // Where the measured runs send: the sink itself (ok, blackhole and storm are its modes), a
  // port nobody listens on, or a host name that does not resolve (.invalid, RFC 6761).
  std::string bad_endpoint() const {
    if (o_.sink == "down") return refused_.url();
    if (o_.sink == "dns") return "http://flowtrack-bench.invalid:1";
    return o_.endpoint;
  }
  std::filesystem::path telemetry_dir() const { return state_.path() / "telemetry"; }

  // Polls `done` every 10 ms until it holds or `limit` passes.
  static bool wait_for(const std::function<bool()>& done, std::chrono::milliseconds limit) {
    const auto until = steady::now() + limit;
    while (!done()) {
      if (steady::now() >= until) return false;
      std::this_thread::sleep_for(10ms);
    }
    return true;
  }

  // The W2 targets, on this invocation's medians.
  void add_target(json& out) const {
    const double delta = out["delta_ms"];
    const double median = out["wall_ms"]["median"];
    const bool lossless = out["lost"] == 0;
    if (o_.sink == "ok") {
      out["target"] = "delta <= 5 ms, zero lost";
      out["meets_target"] = delta <= 5 && lossless;
    } else if (o_.sink == "blackhole") {
      out["target"] = "wall <= close deadline + 50 ms, zero lost";
      out["meets_target"] = median <= o_.close_timeout_ms + 50 && lossless;
    } else {
      out["target"] = "delta <= 10 ms, zero lost";
      out["meets_target"] = delta <= 10 && lossless;
    }
  }

  std::string describe() const {
    std::string s;
    for (const auto& a : argv_) s += (s.empty() ? "" : " ") + std::filesystem::path(a).filename().string();
    return s;
  }

  // Runs the command to its end; its wall time in ms. Throws when it fails.
  double run_child(const std::vector<std::string>& argv, const std::string& endpoint, bool disabled) {
    flowtrack::test::child_options c;
    c.env = {{"FLOWTRACK_ENDPOINT", endpoint},
             {"FLOWTRACK_WRITE_KEY", "bench"},
             {"FLOWTRACK_STATE_DIR", state_.path().string()},
             {"FLOWTRACK_CLOSE_TIMEOUT_MS", std::to_string(o_.close_timeout_ms)},
             {"FLOWTRACK_UPDATE_URL", "off"},
             {"FLOWTRACK_NO_TELEMETRY_NOTICE", "1"}};  // every measured run sends, the first included
    c.unset_env = {"DO_NOT_TRACK", "FLOWTRACK_TELEMETRY_DISABLED", "FLOWTRACK_TELEMETRY_DEBUG", "DEBUG",
                   "FLOWTRACK_TELEMETRY_HANDOFF_GRACE_MS"};
    if (o_.handoff == "off") c.env["FLOWTRACK_NO_TELEMETRY_HANDOFF"] = "1";
    else c.unset_env.emplace_back("FLOWTRACK_NO_TELEMETRY_HANDOFF");
    c.env["FLOWTRACK_TELEMETRY_DRAINER_LIFETIME_MS"] = std::to_string(o_.drainer_lifetime_ms);
    if (disabled) c.env["FLOWTRACK_TELEMETRY_DISABLED"] = "1";
    const auto t0 = steady::now();
    flowtrack::test::child_process p(argv, c);
    const int code = p.exit_code();
    const double ms = std::chrono::duration<double, std::milli>(steady::now() - t0).count();
    if (code != 0) throw std::runtime_error(argv.front() + " exited with " + std::to_string(code) + ": " + p.errors());
    return ms;
  }

  const w2_options& o_;
  sink_admin sink_;
  flowtrack::test::temp_dir state_{"ftbench-w2"};
  refused_port refused_;
  std::vector<std::string> argv_;
};

}  // namespace

workload add_w2(CLI::App& app) {
  auto o = std::make_shared<w2_options>();
  auto* cmd = app.add_subcommand("w2", "CLI invocation: a whole command's wall time and lost events");
  cmd->add_option("--endpoint", o->endpoint, "the sink (mock-segment), used by this workload alone")->required();
  cmd->add_option("--sink", o->sink,
                  "ok, blackhole (mock-segment mode), down (a port nobody listens on); with --handoff on also "
                  "storm (every request answered 500) and dns (a host name that does not resolve)")
      ->check(CLI::IsMember({"ok", "blackhole", "down", "storm", "dns"}));
  cmd->add_option("--demo", o->demo, "flowtrack-demo binary (runs `whoami`, after a login)");
  cmd->add_option("--runs", o->runs, "measured runs per scenario")->check(CLI::Range(1, 1000));
  cmd->add_option("--close-timeout-ms", o->close_timeout_ms, "FLOWTRACK_CLOSE_TIMEOUT_MS (the demo's default: 3000)")
      ->check(CLI::Range(0, 600000));
  cmd->add_option("--events-per-run", o->events_per_run, "events one run sends")->check(CLI::Range(1, 1000000));
  cmd->add_option("--client", o->client, "label in the report");
  cmd->add_option("--handoff", o->handoff, "on: zero-wait exit (a drainer delivers); off: the bounded close")
      ->check(CLI::IsMember({"on", "off"}));
  cmd->add_option("--drainer-lifetime-ms", o->drainer_lifetime_ms, "FLOWTRACK_TELEMETRY_DRAINER_LIFETIME_MS")
      ->check(CLI::Range(1, 3600000));
  cmd->add_option("command", o->command, "any other command to measure, after --");
  return {cmd, [o] { return w2_runner(*o).run(); }};
}

}  // namespace flowtrack::bench
