// The engine's spool use when the disk fails under it (ENOSPC, EIO, EROFS injected at the
// spool's system calls): nothing that was safe on disk is deleted, and the report says why.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <set>

#include <asio/io_context.hpp>

#include "client_test_support.hpp"
#include "flowtrack/client.hpp"
#include "flowtrack/error.hpp"
#include "spool/spool.hpp"
#include "support/spool_faults.hpp"
#include "support/temp_dir.hpp"

namespace flowtrack::test {
namespace {

using namespace std::chrono_literals;

class ClientSpoolFaults : public ::testing::Test {
 protected:
  config make_config(const std::string& url) const {
    config c = unit_test_config(url, "spool-fault-key");
    c.flush_interval = 1h;
    c.spool_dir = dir_;
    return c;
  }

  // A backlog as an earlier run leaves it: `n` encoded messages in a file no one holds.
  std::set<std::string> write_backlog(int n) const {
    std::set<std::string> ids;
    std::vector<std::string> json;
    for (int i = 0; i < n; ++i) {
      const std::string id = "backlog-" + std::to_string(i);
      ids.insert(id);
      json.push_back(R"({"messageId":")" + id + R"(","type":"track","event":"E","userId":"u","timestamp":"2026-12-01T00:00:00.000Z"})");
    }
    detail::spool earlier(dir_, {});
    EXPECT_FALSE(earlier.open());
    EXPECT_FALSE(earlier.append_messages(std::vector<std::string_view>(json.begin(), json.end())));
    return ids;
  }

  std::size_t spool_files() const {
    std::size_t n = 0;
    for (auto& e : std::filesystem::directory_iterator(dir_)) n += e.path().extension() == ".spool";
    return n;
  }

  static std::string closed_url() {
    loopback_server gone;
    return gone.url();
  }  // destroyed: nothing listens on its port now

  temp_dir tmp_{"flowtrack-client-spool-faults"};
  const std::filesystem::path dir_ = tmp_.path() / "spool";
};

TEST_F(ClientSpoolFaults, FullDiskAtCloseKeepsTheBacklogAndSaysWhy) {
  detail::virtual_time clock;
  const auto backlog = write_backlog(25);
  ASSERT_EQ(spool_files(), 1u);
  {
    spool_faults faults;
    asio::io_context io;
    client c{io, make_config(closed_url())};  // replays the backlog, cannot deliver it
    for (int i = 0; i < 5; ++i) ASSERT_FALSE(c.track(numbered_event(i)));
    faults.fail_writes(ENOSPC);  // the disk fills up before close re-spools anything
    close_report report;
    ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> { report = co_await c.async_close(2s); }));
    EXPECT_EQ(report.spool_error, errc::spool_io);
    EXPECT_EQ(report.spool_system_error, std::errc::no_space_on_device);
    EXPECT_EQ(report.spooled, 0u);
    EXPECT_GE(faults.writes(), 1);
  }
  // The earlier run's file is still there, whole: the next run delivers every backlog message.
  ASSERT_EQ(spool_files(), 1u);
  loopback_server healthy;
  asio::io_context io;
  client c{io, make_config(healthy.url())};
  close_report report;
  ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> { report = co_await c.async_close(10s); }));
  std::set<std::string> received;
  for (const auto& m : received_messages(healthy)) received.insert(m["messageId"].get<std::string>());
  for (const auto& id : backlog) EXPECT_TRUE(received.contains(id)) << id;
  EXPECT_EQ(spool_files(), 0u);
}

TEST_F(ClientSpoolFaults, FullOrReadOnlyDiskDuringWriteAheadStillDeliversFromMemory) {
  for (int err : {ENOSPC, EROFS, EIO}) {
    SCOPED_TRACE(std::strerror(err));
    detail::virtual_time clock;
    loopback_server healthy;
    spool_faults faults;
    faults.fail_writes(err);
    asio::io_context io;
    auto cfg = make_config(healthy.url());
    cfg.write_ahead = true;
    client c{io, cfg};
    for (int i = 0; i < 10; ++i) ASSERT_FALSE(c.track(numbered_event(i)));
    close_report report;
    ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> { report = co_await c.async_close(10s); }));
    EXPECT_EQ(report.delivered, 10u);
    EXPECT_EQ(received_messages(healthy).size(), 10u);
    EXPECT_EQ(report.spool_error, errc::spool_io);
    EXPECT_EQ(report.spool_system_error, std::error_code(err, std::generic_category()));
  }
}

TEST_F(ClientSpoolFaults, FailedSyncAtCloseIsReportedWithItsReason) {
  detail::virtual_time clock;
  spool_faults faults;
  faults.fail_syncs(EIO);
  asio::io_context io;
  client c{io, make_config(closed_url())};
  for (int i = 0; i < 3; ++i) ASSERT_FALSE(c.track(numbered_event(i)));
  close_report report;
  ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> { report = co_await c.async_close(2s); }));
  EXPECT_EQ(report.spooled, 3u) << "written; only the sync failed";
  EXPECT_EQ(report.spool_error, errc::spool_io);
  EXPECT_EQ(report.spool_system_error, std::errc::io_error);
}

}  // namespace
}  // namespace flowtrack::test
