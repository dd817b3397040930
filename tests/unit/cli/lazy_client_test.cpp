// The facade's client starts with the first event: a command that sends nothing (--help, a
// usage error, a refused pre-run check) opens no connection and replays no spool, even with a
// backlog pending behind an endpoint that accepts and never answers; its close is immediate.
#include <gtest/gtest.h>

#include <memory>
#include <sstream>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

#include "common/engine_clock.hpp"
#include "flowtrack/cli/telemetry.hpp"
#include "spool/spool.hpp"
#include "unit/client/client_test_support.hpp"
#include "support/temp_dir.hpp"

namespace flowtrack::test {
namespace {

using namespace std::chrono_literals;

class CliLazyClient : public ::testing::Test {
 protected:
  void SetUp() override {
    accept_next();
    // A backlog from an earlier run.
    detail::spool earlier(tmp_.path() / "spool", {});
    ASSERT_FALSE(earlier.open());
    const std::string m = R"({"messageId":"backlog-1","type":"track","event":"E","userId":"u"})";
    ASSERT_FALSE(earlier.append_messages({m}));
  }

  // Counts connections and never answers them (a captive portal, a dead VPN).
  void accept_next() {
    acceptor_.async_accept([this](std::error_code ec, asio::ip::tcp::socket s) {
      if (ec) return;
      ++accepted_;
      held_.push_back(std::make_shared<asio::ip::tcp::socket>(std::move(s)));
      accept_next();
    });
  }

  std::unique_ptr<cli::telemetry> make() {
    cli::telemetry_options o;
    o.app = {"lazy-cli", "1"};
    o.write_key = "key";
    o.endpoint = "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
    o.state_dir = tmp_.path();
    o.env = cli::fixed_environment({});
    o.diagnostics = &diag_;
    o.notice.enabled = false;
    return cli::make_telemetry(io_.get_executor(), o);
  }

  // Runs the close on virtual time (no real wait for the deadline), then stops accepting.
  close_report close(cli::telemetry& t, std::chrono::milliseconds timeout) {
    close_report out;
    EXPECT_TRUE(run_virtual(io_, [&]() -> asio::awaitable<void> { out = co_await t.async_close(timeout); }));
    acceptor_.close();
    for (auto& s : held_) s->close();
    io_.poll();
    return out;
  }

  std::size_t spool_files() const {
    std::size_t n = 0;
    for (auto& e : std::filesystem::directory_iterator(tmp_.path() / "spool")) n += e.path().extension() == ".spool";
    return n;
  }

  detail::virtual_time clock_;
  asio::io_context io_;
  asio::ip::tcp::acceptor acceptor_{io_, {asio::ip::address_v4::loopback(), 0}};
  std::vector<std::shared_ptr<asio::ip::tcp::socket>> held_;
  int accepted_ = 0;
  test::temp_dir tmp_{"flowtrack-cli-lazy"};
  std::ostringstream diag_;
};

TEST_F(CliLazyClient, ACommandThatSendsNothingOpensNoConnectionAndReplaysNothing) {
  auto t = make();
  ASSERT_EQ(t->state(), cli::telemetry_state::enabled);
  const auto report = close(*t, 3s);  // the pre-run pattern: created, the command never ran
  EXPECT_EQ(accepted_, 0) << "no connection for a command that sent nothing";
  EXPECT_FALSE(report.deadline_reached) << "its close did not wait";
  EXPECT_EQ(report.delivered + report.spooled + report.pending, 0u);
  EXPECT_EQ(spool_files(), 1u) << "the backlog waits for a run that sends";
}

TEST_F(CliLazyClient, TheFirstEventStartsTheClientAndTheBacklogGoesWithIt) {
  auto t = make();
  ASSERT_FALSE(t->track("Something Happened", {}));
  const auto report = close(*t, 300ms);  // nobody answers: everything is spooled again
  EXPECT_GE(accepted_, 1);
  EXPECT_EQ(report.spooled, 2u) << "the backlog's message and this run's";
}

}  // namespace
}  // namespace flowtrack::test
