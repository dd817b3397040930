// The first-run notice: the pure rule (every combination of its facts), and the facade
// carrying it out (what is printed, sent and written).
#include "flowtrack/cli/notice.hpp"

#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include <asio/io_context.hpp>

#include "capturing_sink.hpp"
#include "telemetry_test_options.hpp"
#include "flowtrack/cli/telemetry.hpp"
#include "support/temp_dir.hpp"

namespace flowtrack::test {
namespace {

using cli::notice_action;
using cli::telemetry_state;

TEST(NoticeDecision, EachRowOfTheTable) {
  // The rule as rows, first match wins; -1 is "any". Every one of the 32 combinations of the
  // facts is checked against it.
  struct row {
    int opted_out, shown, hidden, ci, tty;
    notice_action expected;
  };
  const row table[] = {
      {1, -1, -1, -1, -1, notice_action::off},
      {0, 1, -1, -1, -1, notice_action::send},
      {0, 0, 1, -1, -1, notice_action::send},
      {0, 0, 0, 1, 0, notice_action::hold},
      {0, 0, 0, 1, 1, notice_action::show_and_hold},
      {0, 0, 0, 0, 1, notice_action::show_and_hold},
      {0, 0, 0, 0, 0, notice_action::show_and_hold},
  };
  auto matches = [](int want, bool have) { return want < 0 || (want == 1) == have; };
  int checked = 0;
  for (int bits = 0; bits < 32; ++bits) {
    cli::notice_facts f;
    f.opted_out = (bits & 1) != 0;
    f.notice_shown = (bits & 2) != 0;
    f.hidden = (bits & 4) != 0;
    f.in_ci = (bits & 8) != 0;
    f.stderr_is_terminal = (bits & 16) != 0;
    const row* hit = nullptr;
    for (const auto& r : table) {
      if (matches(r.opted_out, f.opted_out) && matches(r.shown, f.notice_shown) && matches(r.hidden, f.hidden) &&
          matches(r.ci, f.in_ci) && matches(r.tty, f.stderr_is_terminal)) {
        hit = &r;
        break;
      }
    }
    ASSERT_NE(hit, nullptr) << bits;
    EXPECT_EQ(cli::decide_notice(f), hit->expected) << "facts " << bits << ": got " << cli::to_string(cli::decide_notice(f));
    ++checked;
  }
  EXPECT_EQ(checked, 32);
  EXPECT_TRUE(cli::sends(notice_action::send));
  EXPECT_FALSE(cli::sends(notice_action::show_and_hold));
  EXPECT_FALSE(cli::sends(notice_action::hold));
  EXPECT_FALSE(cli::sends(notice_action::off));
}

TEST(NoticeDecision, DefaultTextNamesTheOptOutsAndTheHideVariable) {
  const std::string text = cli::default_notice_text("my-cli", "MY_CLI", "docs/CLI-TELEMETRY.md");
  for (const char* part : {"my-cli collects anonymous usage data", "DO_NOT_TRACK=1", "MY_CLI_TELEMETRY_DISABLED=1",
                           "`my-cli telemetry disable`", "MY_CLI_NO_TELEMETRY_NOTICE=1", "docs/CLI-TELEMETRY.md",
                           "Nothing was sent this time"})
    EXPECT_NE(text.find(part), std::string::npos) << part;
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(cli::notice_hide_variable("MY_CLI"), "MY_CLI_NO_TELEMETRY_NOTICE");
}

class ConsentGate : public ::testing::Test {
 protected:
  cli::telemetry_options options(std::map<std::string, std::string> env = {}, bool tty = false) {
    auto o = test_telemetry_options({"my-cli", "2.0.0"}, dir_, std::move(env), diag_, sink_);
    o.notice.out = &notice_;
    o.notice.stderr_is_terminal = tty;
    return o;
  }

  // One invocation: make the facade, track an event, close.
  telemetry_state invoke(const cli::telemetry_options& o) {
    auto t = cli::make_telemetry(io_.get_executor(), o);
    (void)t->track("Command Invoked");
    return t->state();
  }

  asio::io_context io_;
  temp_dir tmp_{"flowtrack-notice"};
  const std::filesystem::path dir_ = tmp_.path() / "state";
  std::ostringstream notice_, diag_;
  std::shared_ptr<capturing_sink> sink_ = std::make_shared<capturing_sink>();
};

TEST_F(ConsentGate, TheRunThatShowsTheNoticeSendsNothingAndTheNextSends) {
  EXPECT_EQ(cli::read_status(options()).state, telemetry_state::awaiting_notice);
  EXPECT_EQ(invoke(options()), telemetry_state::awaiting_notice);
  EXPECT_NE(notice_.str().find("my-cli collects anonymous usage data"), std::string::npos);
  EXPECT_TRUE(sink_->events().empty());
  EXPECT_TRUE(std::filesystem::exists(dir_ / "notice_shown"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "anonymous_id"));  // nothing but the mark
  EXPECT_TRUE(cli::read_status(options()).notice_shown);

  notice_.str("");
  EXPECT_EQ(invoke(options()), telemetry_state::enabled);
  EXPECT_TRUE(notice_.str().empty());  // once
  ASSERT_EQ(sink_->events().size(), 1u);
  EXPECT_EQ(cli::read_status(options()).state, telemetry_state::enabled);
}

TEST_F(ConsentGate, TheHideVariableSendsFromTheFirstRunWithoutANotice) {
  EXPECT_EQ(invoke(options({{"MY_CLI_NO_TELEMETRY_NOTICE", "1"}})), telemetry_state::enabled);
  EXPECT_TRUE(notice_.str().empty());
  EXPECT_EQ(sink_->events().size(), 1u);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "notice_shown"));  // never shown: not marked
  EXPECT_EQ(invoke(options()), telemetry_state::awaiting_notice);  // without it, the notice comes
  EXPECT_FALSE(notice_.str().empty());
}

TEST_F(ConsentGate, CiWithoutATerminalShowsNothingAndSendsNothing) {
  for (int run = 0; run < 2; ++run) {
    EXPECT_EQ(invoke(options({{"GITHUB_ACTIONS", "true"}})), telemetry_state::awaiting_notice) << run;
  }
  EXPECT_TRUE(notice_.str().empty());
  EXPECT_TRUE(sink_->events().empty());
  EXPECT_FALSE(std::filesystem::exists(dir_));  // nothing written at all
  const auto status = cli::read_status(options({{"CI", "1"}}));
  EXPECT_EQ(status.state, telemetry_state::awaiting_notice);
  EXPECT_NE(status.reason.find("MY_CLI_NO_TELEMETRY_NOTICE=1"), std::string::npos) << status.reason;
  // Acknowledged by the variable, CI sends.
  EXPECT_EQ(invoke(options({{"CI", "1"}, {"MY_CLI_NO_TELEMETRY_NOTICE", "1"}})), telemetry_state::enabled);
  EXPECT_EQ(sink_->events().size(), 1u);
}

TEST_F(ConsentGate, CiWithATerminalShowsTheNotice) {
  EXPECT_EQ(invoke(options({{"CI", "1"}}, /*tty=*/true)), telemetry_state::awaiting_notice);
  EXPECT_FALSE(notice_.str().empty());
  EXPECT_TRUE(std::filesystem::exists(dir_ / "notice_shown"));
  EXPECT_EQ(invoke(options({{"CI", "1"}}, true)), telemetry_state::enabled);
}

TEST_F(ConsentGate, OptedOutShowsNothingAndWritesNothing) {
  EXPECT_EQ(invoke(options({{"DO_NOT_TRACK", "1"}})), telemetry_state::disabled_by_env);
  EXPECT_EQ(invoke(options({{"MY_CLI_TELEMETRY_DISABLED", "1"}})), telemetry_state::disabled_by_env);
  EXPECT_TRUE(notice_.str().empty());
  EXPECT_FALSE(std::filesystem::exists(dir_));
}

TEST_F(ConsentGate, TheAppsOwnTextAndTheDebugPrinter) {
  auto o = options();
  o.notice.text = "custom notice\n";
  EXPECT_EQ(invoke(o), telemetry_state::awaiting_notice);
  EXPECT_EQ(notice_.str(), "custom notice\n");
  // Printing events locally sends nothing: no notice needed, none shown, no mark.
  std::filesystem::remove(dir_ / "notice_shown");
  notice_.str("");
  EXPECT_EQ(invoke(options({{"MY_CLI_TELEMETRY_DEBUG", "1"}})), telemetry_state::debug_print);
  EXPECT_TRUE(notice_.str().empty());
  EXPECT_FALSE(std::filesystem::exists(dir_ / "notice_shown"));
}

TEST_F(ConsentGate, TheNoticeRunOpensNoClientSoLeavesNoSpool) {
  auto o = options();
  o.sink = nullptr;  // the real client, with its spool under the state directory
  o.endpoint = "http://127.0.0.1:9";
  o.client.write_ahead = true;  // a client would write each event to the spool at once
  {
    auto t = cli::make_telemetry(io_.get_executor(), o);
    EXPECT_EQ(t->state(), telemetry_state::awaiting_notice);
    EXPECT_FALSE(t->track("Command Invoked"));
  }
  EXPECT_FALSE(std::filesystem::exists(dir_ / "spool"));
  EXPECT_FALSE(notice_.str().empty());
}

TEST_F(ConsentGate, AGateSwitchedOffSendsFromTheFirstRun) {
  auto o = options();
  o.notice.enabled = false;
  EXPECT_EQ(invoke(o), telemetry_state::enabled);
  EXPECT_TRUE(notice_.str().empty());
}

}  // namespace
}  // namespace flowtrack::test
