// The zero-loss fault suite: separate client processes ("runs") against mock-segment under each
// fault. Every case checks that each tracked event is delivered (unique per run tag and index)
// or reported dropped with a reason, and that close() never outlives its deadline.
#include <gtest/gtest.h>

#include <sys/mount.h>
#include <sys/wait.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string_view>
#include <thread>

#include "flowtrack/error.hpp"
#include "support/temp_dir.hpp"
#include "support/child_process.hpp"
#include "support/http_test_client.hpp"
#include "support/mock_process.hpp"

namespace flowtrack::test {
namespace {

using json = nlohmann::json;
using namespace std::string_view_literals;
constexpr int close_ms = 500;
constexpr int deadline_slack_ms = 50;

class ZeroLoss : public ::testing::Test {
 protected:

  // One run of a program using flowtrack: replays the spool, tracks n events, closes.
  json run(const std::string& endpoint, int n, const std::string& tag, int close_timeout = close_ms,
           std::vector<std::string> prefix = {}, const std::string& spool_max_bytes = "16777216",
           const std::string& batch_max_messages = "250") {
    std::vector<std::string> argv = std::move(prefix);
    for (const auto& a : {sibling_binary("spool_client"), spool_.string(), endpoint, std::to_string(n),
                          std::to_string(close_timeout), tag, spool_max_bytes, batch_max_messages})
      argv.push_back(a);
    child_process p(argv);
    const int status = p.finish();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << p.output();
    auto report = json::parse(p.output(), nullptr, false);
    EXPECT_TRUE(report.is_object()) << p.output();
    return report;
  }

  // Polls a condition on another process's progress, 10 ms apart, for at most 20 s.
  static bool wait_until(const std::function<bool()>& done) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!done()) {
      if (std::chrono::steady_clock::now() > give_up) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
  }

  // For each run tag: how many times each event index arrived.
  static std::map<std::string, std::map<int, int>> arrivals(const std::string& url) {
    std::map<std::string, std::map<int, int>> out;
    const json events = http_get(url, "/admin/events?event=Zero%20Loss").json()["events"];
    for (const auto& e : events)
      ++out[e["userId"].get<std::string>()][e["properties"]["i"].get<int>()];
    return out;
  }

  static void expect_all_delivered(const std::string& url, const std::string& tag, int n) {
    auto got = arrivals(url)[tag];
    EXPECT_EQ(got.size(), static_cast<std::size_t>(n)) << tag;
    for (int i = 0; i < n; ++i) EXPECT_GE(got[i], 1) << tag << " event " << i << " lost";
  }

  static void expect_within_deadline(const json& report, int timeout = close_ms) {
    EXPECT_LE(report["close_ms"].get<int>(), timeout + deadline_slack_ms) << report;
  }

  // A code as the run prints it: "category:value", empty for none.
  static std::string code(std::error_code ec) {
    return ec ? std::string(ec.category().name()) + ':' + std::to_string(ec.value()) : "";
  }

  // The cause a run's close report gives for what it did not deliver: the outcome code and its
  // diagnostics (the last attempt's error, the HTTP status, attempts made).
  static void expect_cause(const json& report, errc outcome, errc last_error, int http_status) {
    EXPECT_EQ(report["last_failure_code"], code(outcome)) << report;
    EXPECT_EQ(report["last_error_code"], code(last_error)) << report;
    EXPECT_EQ(report["http_status"], http_status) << report;
    EXPECT_GE(report["attempts"].get<int>(), 1) << report;
  }

  static void set_mode(const std::string& url, const char* mode) {
    ASSERT_EQ(http_post(url, "/admin/mode", json{{"mode", mode}}.dump()).response.status, 200);
  }

  temp_dir tmp_{"flowtrack-zero-loss"};
  std::filesystem::path spool_ = tmp_.path();  // a test may point it elsewhere
};

TEST_F(ZeroLoss, BlackHoleForAWholeRunThenTheNextRunDelivers) {
  mock_process mock({"--mode", "blackhole"});
  auto first = run(mock.url(), 200, "A");
  expect_within_deadline(first);
  EXPECT_EQ(first["spooled"], 200);
  EXPECT_EQ(first["delivered"], 0);
  expect_cause(first, errc::deadline_reached, errc::deadline_reached, 0);
  set_mode(mock.url(), "ok");
  auto second = run(mock.url(), 0, "B");
  EXPECT_EQ(second["replayed"], 200);
  EXPECT_EQ(second["delivered"], 200);
  expect_all_delivered(mock.url(), "A", 200);
}

TEST_F(ZeroLoss, NothingListening) {
  std::string closed;
  {
    mock_process gone;
    closed = gone.url();
  }  // terminated: nothing listens on its port now
  auto first = run(closed, 50, "A");
  expect_within_deadline(first);
  EXPECT_EQ(first["spooled"], 50);
  expect_cause(first, errc::connect_failed, errc::connect_failed, 0);
  mock_process mock;
  run(mock.url(), 0, "B");
  expect_all_delivered(mock.url(), "A", 50);
}

TEST_F(ZeroLoss, HostNameThatDoesNotResolve) {
  // Run inside a new network namespace: the lookup fails without a packet leaving the machine.
  child_process probe({"unshare", "--net", "true"});
  if (int s = probe.finish(); !WIFEXITED(s) || WEXITSTATUS(s) != 0) GTEST_SKIP() << "network namespaces not permitted";
  auto first = run("http://flowtrack-zero-loss.invalid", 50, "A", close_ms, {"unshare", "--net"});
  expect_within_deadline(first);
  EXPECT_EQ(first["spooled"], 50);
  expect_cause(first, errc::resolve_failed, errc::resolve_failed, 0);
  mock_process mock;
  run(mock.url(), 0, "B");
  expect_all_delivered(mock.url(), "A", 50);
}

TEST_F(ZeroLoss, ServerErrorStormLongerThanTheDeadline) {
  mock_process mock({"--mode", "error500"});
  auto first = run(mock.url(), 100, "A");
  expect_within_deadline(first);
  EXPECT_EQ(first["spooled"], 100);
  // Cut by the deadline while retrying, or during a backoff after the last 500.
  EXPECT_EQ(first["last_failure_code"], code(errc::deadline_reached)) << first;
  EXPECT_EQ(first["http_status"], 500) << first;
  EXPECT_GE(first["attempts"].get<int>(), 2) << first;
  // The last attempt was the 500 (a backoff came after it), or the deadline cut the attempt.
  EXPECT_TRUE(first["last_error_code"] == code(errc::http_status) || first["last_error_code"] == code(errc::deadline_reached))
      << first;
  EXPECT_GE(http_get(mock.url(), "/admin/stats").json()["by_status"]["500"].get<int>(), 2);  // it kept retrying
  set_mode(mock.url(), "ok");
  run(mock.url(), 0, "B");
  expect_all_delivered(mock.url(), "A", 100);
}

TEST_F(ZeroLoss, RetryAfterLongerThanTheDeadline) {
  mock_process mock;
  ASSERT_EQ(http_post(mock.url(), "/admin/faults", R"({"status":429,"retry_after":30})").response.status, 200);
  auto first = run(mock.url(), 20, "A");
  expect_within_deadline(first);
  EXPECT_EQ(first["spooled"], 20);
  expect_cause(first, errc::deadline_reached, errc::http_status, 429);
  EXPECT_EQ(http_get(mock.url(), "/admin/stats").json()["requests"], 1);  // it waited, as told
  run(mock.url(), 0, "B");
  expect_all_delivered(mock.url(), "A", 20);
}

TEST_F(ZeroLoss, ResetMidResponseAndGarbageAreRetried) {
  mock_process mock;
  ASSERT_EQ(http_post(mock.url(), "/admin/faults",
                      R"([{"action":"truncate"},{"action":"garbage"},{"action":"reset"},{"action":"truncate"}])")
                .response.status,
            200);
  auto report = run(mock.url(), 100, "A", 5000);
  EXPECT_EQ(report["delivered"], 100);
  EXPECT_EQ(report["spooled"], 0);
  EXPECT_EQ(report["last_failure_code"], "") << report;  // every fault was retried through
  expect_all_delivered(mock.url(), "A", 100);
}

TEST_F(ZeroLoss, KillMinus9WithWriteAhead) {
  mock_process mock({"--mode", "blackhole"});
  child_process victim({sibling_binary("track_then_die"), spool_.string(), mock.url(), "300"});
  const int status = victim.finish();
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << victim.output();
  set_mode(mock.url(), "ok");
  auto next = run(mock.url(), 0, "B", 5000);
  EXPECT_EQ(next["replayed"], 300);
  std::set<int> seen;
  const json events = http_get(mock.url(), "/admin/events?event=Before%20Crash").json()["events"];
  for (const auto& e : events)
    seen.insert(e["properties"]["i"].get<int>());
  EXPECT_EQ(seen.size(), 300u);
}

// A run killed while it replays a backlog: its acknowledgement marks say which batches were
// delivered, so the next run sends only the rest: at most the batches that were in flight
// (max_in_flight, 2) again, not the whole backlog.
TEST_F(ZeroLoss, ReplayKilledMidWayResendsAtMostTheBatchesInFlight) {
  constexpr int backlog = 1000, batch = 100;
  mock_process mock({"--mode", "blackhole"});
  EXPECT_EQ(run(mock.url(), backlog, "A")["spooled"], backlog);
  // The replaying run: five batches answered, then the server stops answering.
  json five = json::array();
  for (int i = 0; i < 5; ++i) five.push_back({{"delay_ms", 1}});
  ASSERT_EQ(http_post(mock.url(), "/admin/faults", five.dump()).response.status, 200);
  child_process replaying({sibling_binary("spool_client"), spool_.string(), mock.url(), "0", "60000", "B",
                           "16777216", std::to_string(batch)});
  // Killed once five batches are in and the sixth was sent (and is never answered).
  ASSERT_TRUE(wait_until([&] {
    return http_get(mock.url(), "/admin/stats").json()["events_accepted"].get<int>() >= 5 * batch &&
           http_get(mock.url(), "/admin/requests").json()["requests"].size() >= 6;
  })) << "the replaying run never got five batches through";
  replaying.signal(SIGKILL);
  replaying.finish();
  set_mode(mock.url(), "ok");
  const auto next = run(mock.url(), 0, "C", 5000, {}, "16777216", std::to_string(batch));
  EXPECT_LE(next["replayed"].get<int>(), backlog - 3 * batch) << "acknowledged batches are not replayed";
  expect_all_delivered(mock.url(), "A", backlog);
  EXPECT_LE(http_get(mock.url(), "/admin/stats").json()["duplicates"].get<int>(), 2 * batch);
}

// A backlog of 2000 spool files (a machine offline for weeks) drains in one run under the
// common descriptor limit's sixteenth: claimed files hold no descriptors.
TEST_F(ZeroLoss, TwoThousandSpoolFilesDrainUnderUlimit64) {
  std::string nothing_listens;
  {
    mock_process gone;
    nothing_listens = gone.url();
  }
  EXPECT_EQ(run(nothing_listens, 1, "A")["spooled"], 1);
  std::filesystem::path first;
  for (const auto& e : std::filesystem::directory_iterator(spool_))
    if (e.path().extension() == ".spool") first = e.path();
  ASSERT_FALSE(first.empty());
  for (int i = 0; i < 1999; ++i) {  // the same run's file under later names: 2000 files in all
    char name[64];
    std::snprintf(name, sizeof name, "%020lld-9-%08x.spool", 90000000000000000LL + i, static_cast<unsigned>(i));
    std::filesystem::copy_file(first, spool_ / name);
  }
  mock_process mock;
  const auto drained = run(mock.url(), 0, "B", 20000, {"prlimit", "--nofile=64"});
  EXPECT_EQ(drained["replayed"], 2000);
  EXPECT_EQ(drained["delivered"], 2000);
  std::size_t left = 0;
  for (const auto& e : std::filesystem::directory_iterator(spool_)) left += e.path().extension() == ".spool";
  EXPECT_EQ(left, 0u);
}

// A real full disk: a 256 KiB tmpfs holds the spool. The backlog of an earlier run survives a
// run whose close cannot write (ENOSPC), and the run after the disk is freed delivers it all.
// Needs root (mount); skipped where mounting is not permitted.
TEST_F(ZeroLoss, FullDiskAtCloseKeepsTheBacklog) {
  const auto mount_point = tmp_.path() / "tiny";
  std::filesystem::create_directories(mount_point);
  if (::mount("tmpfs", mount_point.c_str(), "tmpfs", 0, "size=256k,mode=0700") != 0)
    GTEST_SKIP() << "cannot mount a tmpfs here (" << std::strerror(errno) << ")";
  struct unmount {
    std::filesystem::path p;
    ~unmount() { ::umount2(p.c_str(), MNT_DETACH); }
  } unmount_at_end{mount_point};
  spool_ = mount_point / "spool";
  mock_process mock({"--mode", "blackhole"});
  EXPECT_EQ(run(mock.url(), 200, "A")["spooled"], 200);
  {  // fill what is left of the disk
    std::ofstream filler(mount_point / "filler", std::ios::binary);
    const std::string block(4096, 'f');
    while (filler.write(block.data(), static_cast<std::streamsize>(block.size())) && filler.flush()) {
    }
  }
  const auto full = run(mock.url(), 50, "B");  // replays A, cannot deliver, cannot re-spool
  EXPECT_EQ(full["spool_error_code"], "flowtrack:" + std::to_string(static_cast<int>(errc::spool_io)));
  std::filesystem::remove(mount_point / "filler");
  set_mode(mock.url(), "ok");
  const auto freed = run(mock.url(), 0, "C", 5000);
  EXPECT_GE(freed["replayed"].get<int>(), 200);
  expect_all_delivered(mock.url(), "A", 200);
}

TEST_F(ZeroLoss, TwoRunsStartingAtOnceNeverSendTheSameSpoolTwice) {
  mock_process mock({"--mode", "blackhole"});
  const auto first = run(mock.url(), 300, "A");
  EXPECT_EQ(first["spooled"], 300);
  expect_cause(first, errc::deadline_reached, errc::deadline_reached, 0);
  set_mode(mock.url(), "ok");
  http_post(mock.url(), "/admin/reset", "");
  std::vector<std::string> b_args = {sibling_binary("spool_client"), spool_.string(), mock.url(), "10", "5000", "B"};
  std::vector<std::string> c_args = {sibling_binary("spool_client"), spool_.string(), mock.url(), "10", "5000", "C"};
  child_process b(b_args), c(c_args);
  b.finish();
  c.finish();
  auto rb = json::parse(b.output()), rc = json::parse(c.output());
  EXPECT_EQ(rb["replayed"].get<int>() + rc["replayed"].get<int>(), 300) << rb << rc;
  expect_all_delivered(mock.url(), "A", 300);
  expect_all_delivered(mock.url(), "B", 10);
  expect_all_delivered(mock.url(), "C", 10);
  EXPECT_EQ(http_get(mock.url(), "/admin/stats").json()["duplicates"], 0);
}

TEST_F(ZeroLoss, CorruptSpoolTailIsSkippedAndCounted) {
  mock_process mock({"--mode", "blackhole"});
  const auto first = run(mock.url(), 40, "A");
  EXPECT_EQ(first["spooled"], 40);
  expect_cause(first, errc::deadline_reached, errc::deadline_reached, 0);
  for (const auto& f : std::filesystem::directory_iterator(spool_)) {
    std::ofstream(f.path(), std::ios::app | std::ios::binary) << "M\x40\0\0\0torn record from a crash"sv;
  }
  set_mode(mock.url(), "ok");
  auto next = run(mock.url(), 0, "B");
  EXPECT_GT(next["corrupt_bytes"].get<int>(), 0);
  expect_all_delivered(mock.url(), "A", 40);
}

// One flipped byte in the middle of a spool file loses the record it is in, not the rest.
TEST_F(ZeroLoss, CorruptRecordMidFileLosesOnlyThatRecord) {
  mock_process mock({"--mode", "blackhole"});
  EXPECT_EQ(run(mock.url(), 40, "A")["spooled"], 40);
  for (const auto& e : std::filesystem::directory_iterator(spool_)) {
    if (e.path().extension() != ".spool") continue;
    std::fstream f(e.path(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(0, std::ios::end);
    const auto middle = static_cast<std::streamoff>(f.tellg()) / 2;
    f.seekg(middle);
    const char c = static_cast<char>(f.get());
    f.seekp(middle);
    f.put(static_cast<char>(c ^ 0x20));
  }
  set_mode(mock.url(), "ok");
  const auto next = run(mock.url(), 0, "B", 5000);
  EXPECT_EQ(next["replayed"], 39) << "one record lost, the 19 or 20 after it read on";
  EXPECT_GT(next["corrupt_bytes"].get<int>(), 0);
  EXPECT_EQ(arrivals(mock.url())["A"].size(), 39u);
}

TEST_F(ZeroLoss, UnwritableSpoolDirectoryIsReportedNotSilent) {
  std::filesystem::create_directories(spool_);
  std::ofstream(spool_ / "file") << "x";
  const auto real = spool_;
  spool_ = spool_ / "file" / "spool";
  mock_process mock({"--mode", "blackhole"});
  auto report = run(mock.url(), 30, "A");
  spool_ = real;
  expect_within_deadline(report);
  EXPECT_EQ(report["spool_error_code"], code(errc::spool_io)) << report;
  EXPECT_EQ(report["pending"], 30);  // reported as not delivered, with the reason
  expect_cause(report, errc::deadline_reached, errc::deadline_reached, 0);
  EXPECT_EQ(report["spooled"], 0);
}

TEST_F(ZeroLoss, SpoolCapDropsWhatDoesNotFitAndSaysSo) {
  mock_process mock({"--mode", "blackhole"});
  auto first = run(mock.url(), 100, "A", close_ms, {}, "6000");
  expect_within_deadline(first);
  const int spooled = first["spooled"], dropped = first["dropped"];
  EXPECT_GT(spooled, 0);
  EXPECT_EQ(spooled + dropped, 100);  // every event accounted for
  EXPECT_EQ(first["spool_error_code"], code(errc::spool_full)) << first;
  expect_cause(first, errc::deadline_reached, errc::deadline_reached, 0);
  set_mode(mock.url(), "ok");
  auto second = run(mock.url(), 0, "B");
  EXPECT_EQ(second["delivered"], spooled);
  EXPECT_EQ(arrivals(mock.url())["A"].size(), static_cast<std::size_t>(spooled));
}

}  // namespace
}  // namespace flowtrack::test
