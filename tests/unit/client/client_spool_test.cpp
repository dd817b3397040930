// Durable delivery: what close() cannot deliver by its deadline is spooled and sent by the
// next client with the same spool directory; write-ahead survives SIGKILL.
#include <gtest/gtest.h>

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <set>

#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/this_coro.hpp>
#include <optional>
#include <asio/use_awaitable.hpp>
#include "support/temp_dir.hpp"
#include "client_test_support.hpp"
#include "flowtrack/client.hpp"

// POSIX has the program declare environ; glibc's <unistd.h> does only with _GNU_SOURCE.
extern char** environ;  // NOLINT(readability-redundant-declaration)

namespace flowtrack::test {
namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

class ClientSpool : public ::testing::Test {
 protected:

  config make_config(const std::string& url) const {
    config c;
    c.write_key = "spool-key";
    c.endpoint = url;
    c.flush_interval = 1h;
    c.retry.base_delay = 1ms;
    c.retry.max_delay = 5ms;
    c.retry.max_attempts = 1000000;  // failing servers keep it busy until the close deadline
    c.spool_dir = dir_;
    return c;
  }

  std::size_t spool_files() const {
    if (!std::filesystem::exists(dir_)) return 0;
    std::size_t n = 0;
    for (auto& e : std::filesystem::directory_iterator(dir_)) n += e.path().extension() == ".spool";
    return n;
  }

  temp_dir tmp_{"flowtrack-client-spool"};
  const std::filesystem::path& dir_ = tmp_.path();
};

std::set<std::string> ids_of(const std::vector<nlohmann::json>& messages) {
  std::set<std::string> ids;
  for (const auto& m : messages) ids.insert(m["messageId"].get<std::string>());
  return ids;
}

TEST_F(ClientSpool, BlackHoledRunSpoolsEverythingAndTheNextRunDeliversIt) {
  detail::virtual_time clock;
  std::set<std::string> first_run_ids;
  {
    loopback_server dead;
    dead.set_fallback(reply::blackhole());
    asio::io_context io;
    client c{io, make_config(dead.url())};
    for (int i = 0; i < 20; ++i) ASSERT_FALSE(c.track({.user_id = "u", .event = "E", .properties = {{"i", i}}}));
    close_report report;
    steady::duration took{};
    ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> {
      const auto t0 = detail::engine_clock::now();
      report = co_await c.async_close(300ms);
      took = detail::engine_clock::now() - t0;
    }));
    EXPECT_GE(took, 250ms);  // sending stopped spool_reserve (50 ms) before the deadline
    EXPECT_LE(took, 300ms);
    EXPECT_TRUE(report.deadline_reached);
    EXPECT_EQ(report.spooled, 20u);
    EXPECT_EQ(report.pending, 0u);
    EXPECT_FALSE(report.spool_error);
    first_run_ids = ids_of(received_messages(dead));  // what the black hole was sent
  }
  EXPECT_EQ(spool_files(), 1u);

  loopback_server healthy;
  asio::io_context io;
  client c{io, make_config(healthy.url())};
  EXPECT_EQ(c.statistics().replayed, 20u);
  close_report report;
  ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> { report = co_await c.async_close(10s); }));
  auto delivered = received_messages(healthy);
  ASSERT_EQ(delivered.size(), 20u);
  EXPECT_EQ(ids_of(delivered), first_run_ids);  // same messageIds: deduplicable
  for (int i = 0; i < 20; ++i) EXPECT_EQ(delivered[i]["properties"]["i"], i);  // oldest first
  EXPECT_EQ(report.delivered, 20u);
  EXPECT_EQ(spool_files(), 0u);  // acknowledged, so deleted
}

// Nothing listening: with a spool, close() does not spend its deadline retrying a server that
// is not there; it spools at once and the next run delivers.
TEST_F(ClientSpool, NothingListeningSpoolsAtOnceInsteadOfRetryingUntilTheDeadline) {
  detail::virtual_time clock;
  std::string closed_url;
  {
    loopback_server gone;
    closed_url = gone.url();
  }  // destroyed: nothing listens on its port now
  {
    asio::io_context io;
    auto cfg = make_config(closed_url);
    cfg.flush_interval = 1ms;  // batches are already retrying when close() begins
    client c{io, cfg};
    for (int i = 0; i < 30; ++i) ASSERT_FALSE(c.track({.user_id = "u", .event = "E", .properties = {{"i", i}}}));
    close_report report;
    ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> {
      detail::engine_timer t(co_await asio::this_coro::executor, 20ms);  // let the first attempts fail
      co_await t.async_wait(asio::use_awaitable);
      report = co_await c.async_close(5s);
    }));
    EXPECT_LE(report.elapsed, 10ms);  // not the 5 s deadline: at the attempts' next resumption
    EXPECT_FALSE(report.deadline_reached);
    EXPECT_EQ(report.spooled, 30u);
    EXPECT_EQ(report.pending, 0u);
  }
  loopback_server healthy;
  asio::io_context io;
  client c{io, make_config(healthy.url())};
  close_report report;
  ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> { report = co_await c.async_close(10s); }));
  EXPECT_EQ(report.delivered, 30u);
  EXPECT_EQ(received_messages(healthy).size(), 30u);
}

// Without a spool there is nowhere else to keep them: close() retries until its deadline.
TEST_F(ClientSpool, NothingListeningWithoutASpoolRetriesUntilTheDeadline) {
  detail::virtual_time clock;
  std::string closed_url;
  {
    loopback_server gone;
    closed_url = gone.url();
  }
  asio::io_context io;
  auto cfg = make_config(closed_url);
  cfg.spool_dir.clear();
  client c{io, cfg};
  ASSERT_FALSE(c.track({.user_id = "u", .event = "E"}));
  close_report report;
  ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> { report = co_await c.async_close(200ms); }));
  EXPECT_TRUE(report.deadline_reached);
  EXPECT_GE(report.elapsed, 200ms);
  EXPECT_LE(report.elapsed, 225ms);
  EXPECT_EQ(report.pending, 1u);
  EXPECT_GT(c.statistics().retries, 0u);
}

// 401/403/TLS are configuration problems a later run may not have: with a spool, the batch
// is kept, reported with its cause, and the next run delivers it.
TEST_F(ClientSpool, UnauthorizedBatchIsSpooledAndTheNextRunDeliversIt) {
  detail::virtual_time clock;
  {
    loopback_server refusing;
    refusing.set_fallback(reply::status_code(401));
    asio::io_context io;
    int callbacks = 0;
    auto cfg = make_config(refusing.url());
    cfg.on_delivery = [&](std::string_view, std::error_code) { ++callbacks; };
    client c{io, cfg};
    diagnostics why;
    close_report report;
    ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> {
      for (int i = 0; i < 3; ++i) EXPECT_FALSE(c.track({.user_id = "u", .event = "E", .properties = {{"i", i}}}));
      EXPECT_EQ(co_await c.async_flush(why), errc::http_status);
      report = co_await c.async_close(10s);
    }));
    EXPECT_EQ(why, (diagnostics{errc::http_status, 401, 1}));
    EXPECT_EQ(refusing.requests().size(), 1u);  // not retried
    EXPECT_EQ(report.spooled, 3u);
    EXPECT_EQ(report.failed, 0u);
    EXPECT_EQ(report.pending, 0u);
    EXPECT_EQ(report.last_failure, errc::http_status);
    EXPECT_EQ(report.last_failure_diagnostics.http_status, 401);
    EXPECT_EQ(callbacks, 0);  // not a final outcome: kept for the next run
  }
  loopback_server healthy;
  asio::io_context io;
  client c{io, make_config(healthy.url())};
  close_report report;
  ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> { report = co_await c.async_close(10s); }));
  EXPECT_EQ(report.delivered, 3u);
  EXPECT_EQ(received_messages(healthy).size(), 3u);
  EXPECT_EQ(spool_files(), 0u);
}

// Cancelling close() at 200 ms of a 3 s deadline against a server that never answers: done
// at once, everything spooled, and the next run delivers all of it.
TEST_F(ClientSpool, CancelledCloseSpoolsEverythingAtOnce) {
  detail::virtual_time clock;
  {
    loopback_server dead;
    dead.set_fallback(reply::blackhole());
    asio::io_context io;
    client c{io, make_config(dead.url())};
    for (int i = 0; i < 20; ++i) ASSERT_FALSE(c.track({.user_id = "u", .event = "E", .properties = {{"i", i}}}));
    asio::cancellation_signal cancel;
    std::optional<close_report> report;
    detail::engine_timer closed(io, detail::engine_clock::time_point::max());
    const auto t0 = detail::engine_clock::now();
    asio::co_spawn(io, c.async_close(3s), asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr, close_report r) {
      report = r;
      closed.cancel();
    }));
    ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> {
      detail::engine_timer at(co_await asio::this_coro::executor, t0 + 200ms);
      co_await at.async_wait(asio::use_awaitable);
      cancel.emit(asio::cancellation_type::terminal);
      if (!report) co_await closed.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    }));
    ASSERT_TRUE(report.has_value());
    EXPECT_TRUE(report->cancelled);
    EXPECT_LE(report->elapsed, 250ms);
    EXPECT_GE(report->elapsed, 200ms);
    EXPECT_EQ(report->spooled, 20u);
    EXPECT_EQ(report->pending, 0u);
    EXPECT_EQ(report->last_failure, errc::deadline_reached);
  }
  loopback_server healthy;
  asio::io_context io;
  client c{io, make_config(healthy.url())};
  close_report report;
  ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> { report = co_await c.async_close(10s); }));
  EXPECT_EQ(report.delivered, 20u);
  EXPECT_EQ(received_messages(healthy).size(), 20u);
}

TEST_F(ClientSpool, ReplayedFilesAreDeletedOnceDeliveredWithoutClose) {
  detail::virtual_time clock;
  {
    loopback_server dead;
    dead.set_fallback(reply::status_code(503));
    asio::io_context io;
    client c{io, make_config(dead.url())};
    ASSERT_FALSE(c.track({.user_id = "u", .event = "E"}));
    ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> { co_await c.async_close(100ms); }));
  }
  ASSERT_EQ(spool_files(), 1u);
  loopback_server healthy;
  asio::io_context io;
  client c{io, make_config(healthy.url())};
  ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> {
    EXPECT_FALSE(co_await c.async_flush());
    EXPECT_EQ(spool_files(), 0u);  // deleted as soon as its messages were delivered
    co_await c.async_close(10s);
  }));
}

TEST_F(ClientSpool, UnwritableSpoolDirectoryIsReportedAndTheClientStillDelivers) {
  detail::virtual_time clock;
  std::filesystem::create_directories(dir_);
  std::ofstream(dir_ / "file") << "x";
  loopback_server healthy;
  asio::io_context io;
  auto cfg = make_config(healthy.url());
  cfg.spool_dir = dir_ / "file" / "spool";
  client c{io, cfg};
  ASSERT_FALSE(c.track({.user_id = "u", .event = "E"}));
  close_report report;
  ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> { report = co_await c.async_close(10s); }));
  EXPECT_EQ(report.spool_error, errc::spool_io);
  EXPECT_EQ(report.delivered, 1u);
}

std::filesystem::path helper_binary(const char* name) {
  return std::filesystem::read_symlink("/proc/self/exe").parent_path() / name;
}

TEST_F(ClientSpool, WriteAheadSurvivesSigkill) {
  detail::virtual_time clock;
  loopback_server dead;
  dead.set_fallback(reply::blackhole());
  const std::string dir = dir_.string(), url = dead.url(), count = "500";
  const std::string helper = helper_binary("track_then_die").string();
  ASSERT_TRUE(std::filesystem::exists(helper)) << helper;
  char* argv[] = {const_cast<char*>(helper.c_str()), const_cast<char*>(dir.c_str()), const_cast<char*>(url.c_str()),
                  const_cast<char*>(count.c_str()), nullptr};
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, helper.c_str(), nullptr, nullptr, argv, environ), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status));
  ASSERT_EQ(WTERMSIG(status), SIGKILL);

  loopback_server healthy;
  asio::io_context io;
  client c{io, make_config(healthy.url())};
  EXPECT_EQ(c.statistics().replayed, 500u);
  ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> { co_await c.async_close(5s); }));
  auto delivered = received_messages(healthy);
  ASSERT_EQ(delivered.size(), 500u);
  std::set<int> seen;
  for (const auto& m : delivered) seen.insert(m["properties"]["i"].get<int>());
  EXPECT_EQ(seen.size(), 500u);
  EXPECT_EQ(spool_files(), 0u);
}

TEST_F(ClientSpool, WriteAheadFileIsRemovedAfterACleanClose) {
  detail::virtual_time clock;
  loopback_server healthy;
  asio::io_context io;
  auto cfg = make_config(healthy.url());
  cfg.write_ahead = true;
  client c{io, cfg};
  for (int i = 0; i < 10; ++i) ASSERT_FALSE(c.track({.user_id = "u", .event = "E"}));
  EXPECT_EQ(spool_files(), 1u);
  close_report report;
  ASSERT_TRUE(run_virtual(io, [&]() -> asio::awaitable<void> { report = co_await c.async_close(10s); }));
  EXPECT_EQ(report.delivered, 10u);
  EXPECT_EQ(report.spooled, 0u);
  EXPECT_EQ(spool_files(), 0u);
}

}  // namespace
}  // namespace flowtrack::test
