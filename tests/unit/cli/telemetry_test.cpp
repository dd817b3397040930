#include "support/temp_dir.hpp"
#include "flowtrack/cli/telemetry.hpp"

#include <gtest/gtest.h>

#include <latch>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include <asio/io_context.hpp>

#include "capturing_sink.hpp"
#include "telemetry_test_options.hpp"
#include "flowtrack/error.hpp"

namespace flowtrack::test {
namespace {

using namespace std::chrono_literals;
using cli::telemetry_state;

class CliTelemetry : public ::testing::Test {
 protected:

  cli::telemetry_options options(std::map<std::string, std::string> env = {}) {
    auto o = test_telemetry_options({"demo-cli", "1.4.2"}, dir_, std::move(env), diag_, sink_);
    o.notice.enabled = false;  // the first-run notice has tests of its own (ConsentGate)
    return o;
  }

  asio::io_context io_;
  temp_dir tmp_{"flowtrack-cli"};
  const std::filesystem::path& dir_ = tmp_.path();
  std::ostringstream diag_;
  std::shared_ptr<capturing_sink> sink_ = std::make_shared<capturing_sink>();
};

TEST_F(CliTelemetry, BasePropertiesAreWrittenLastSoCallSitesCannotOverrideThem) {
  auto t = cli::make_telemetry(io_.get_executor(), options({{"CI", "true"}}));
  ASSERT_EQ(t->state(), telemetry_state::enabled);
  ASSERT_FALSE(t->track("Something Happened", {{"invocation_id", "forged"}, {"sequence", 999}, {"app", "other"},
                                              {"app_version", "0"}, {"ci", false}, {"own", "kept"}}));
  auto events = sink_->events();
  ASSERT_EQ(events.size(), 1u);
  const auto& p = events[0].properties;
  struct row {
    const char* key;
    nlohmann::json expected;
  };
  const row rows[] = {{"invocation_id", t->invocation_id()}, {"sequence", 1},    {"app", "demo-cli"},
                      {"app_version", "1.4.2"},              {"ci", true},       {"own", "kept"}};
  for (const auto& r : rows) EXPECT_EQ(p[r.key], r.expected) << r.key;
  EXPECT_EQ(p["os"], "linux");
  EXPECT_TRUE(p["arch"].is_string());
  EXPECT_EQ(events[0].anonymous_id, t->anonymous_id());
  EXPECT_EQ(events[0].event, "Something Happened");
  EXPECT_EQ(t->invocation_id().size(), 36u);
}

TEST_F(CliTelemetry, NonObjectPropertiesAndEmptyNamesAreHandled) {
  auto t = cli::make_telemetry(io_.get_executor(), options());
  EXPECT_EQ(t->track(""), errc::invalid_message);
  EXPECT_FALSE(t->track("E", nlohmann::json::array({1, 2})));
  auto events = sink_->events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].properties["sequence"], 1);  // the refused event took no number
}

TEST_F(CliTelemetry, SequenceIsUniqueAndGapFreeUnderConcurrency) {
  auto t = cli::make_telemetry(io_.get_executor(), options());
  // 16 threads released at once by a latch race for the counter: enough for a lost update to
  // show as a duplicate or a gap (16000 events, a fraction of a second even under TSan).
  constexpr int threads = 16, per_thread = 1000;
  std::latch start(threads);
  std::vector<std::thread> workers;
  workers.reserve(threads);
  for (int w = 0; w < threads; ++w)
    workers.emplace_back([&] {
      start.arrive_and_wait();
      for (int i = 0; i < per_thread; ++i) t->track("Tick");
    });
  for (auto& w : workers) w.join();
  auto events = sink_->events();
  ASSERT_EQ(events.size(), static_cast<std::size_t>(threads * per_thread));
  std::vector<bool> seen(threads * per_thread + 1, false);
  for (const auto& e : events) {
    const auto s = e.properties["sequence"].get<std::uint64_t>();
    ASSERT_GE(s, 1u);
    ASSERT_LE(s, static_cast<std::uint64_t>(threads * per_thread));
    ASSERT_FALSE(seen[s]) << "duplicate sequence " << s;
    seen[s] = true;
    ASSERT_EQ(e.properties["invocation_id"], t->invocation_id());
  }
}

TEST_F(CliTelemetry, OptOutTable) {
  struct row {
    const char* name;
    std::map<std::string, std::string> env;
    telemetry_state expected;
  };
  const row rows[] = {
      {"nothing set", {}, telemetry_state::enabled},
      {"DO_NOT_TRACK=1", {{"DO_NOT_TRACK", "1"}}, telemetry_state::disabled_by_env},
      {"DO_NOT_TRACK=true", {{"DO_NOT_TRACK", "true"}}, telemetry_state::disabled_by_env},
      {"DO_NOT_TRACK=yes", {{"DO_NOT_TRACK", "yes"}}, telemetry_state::disabled_by_env},
      {"DO_NOT_TRACK=0", {{"DO_NOT_TRACK", "0"}}, telemetry_state::enabled},
      {"DO_NOT_TRACK=false", {{"DO_NOT_TRACK", "FALSE"}}, telemetry_state::enabled},
      {"DO_NOT_TRACK empty", {{"DO_NOT_TRACK", ""}}, telemetry_state::enabled},
      {"app variable", {{"DEMO_CLI_TELEMETRY_DISABLED", "1"}}, telemetry_state::disabled_by_env},
      {"debug print", {{"DEMO_CLI_TELEMETRY_DEBUG", "1"}}, telemetry_state::debug_print},
  };
  for (const auto& r : rows) EXPECT_EQ(cli::make_telemetry(io_.get_executor(), options(r.env))->state(), r.expected) << r.name;
}

TEST_F(CliTelemetry, PersistedDisableAndEnable) {
  auto o = options();
  ASSERT_FALSE(cli::set_telemetry_enabled(o, false));
  EXPECT_EQ(cli::make_telemetry(io_.get_executor(), o)->state(), telemetry_state::disabled_by_setting);
  EXPECT_EQ(cli::read_status(o).state, telemetry_state::disabled_by_setting);
  EXPECT_EQ(std::filesystem::status(dir_ / "settings.json").permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  ASSERT_FALSE(cli::set_telemetry_enabled(o, true));
  EXPECT_EQ(cli::make_telemetry(io_.get_executor(), o)->state(), telemetry_state::enabled);
}

TEST_F(CliTelemetry, DisabledTelemetryIsANoOpNeverNull) {
  auto t = cli::make_telemetry(io_.get_executor(), options({{"DO_NOT_TRACK", "1"}, {"DEBUG", "1"}}));
  ASSERT_NE(t, nullptr);
  EXPECT_FALSE(t->enabled());
  EXPECT_FALSE(t->track("Ignored"));
  EXPECT_TRUE(sink_->events().empty());
  EXPECT_NE(diag_.str().find("telemetry disabled by environment"), std::string::npos);  // DEBUG says why
  EXPECT_FALSE(std::filesystem::exists(dir_ / "anonymous_id"));                         // nothing written either
}

TEST_F(CliTelemetry, NoWriteKeyOrBadEndpointFallsBackToNoOp) {
  auto o = options();
  o.sink = nullptr;
  o.write_key.clear();
  EXPECT_EQ(cli::make_telemetry(io_.get_executor(), o)->state(), telemetry_state::no_write_key);
  o.write_key = "key";
  o.endpoint = "ftp://nowhere";
  EXPECT_EQ(cli::make_telemetry(io_.get_executor(), o)->state(), telemetry_state::unavailable);
  EXPECT_TRUE(diag_.str().empty());  // silent without DEBUG
  o.env = cli::fixed_environment({{"DEMO_CLI_ENDPOINT", "http://127.0.0.1:9"}});
  EXPECT_EQ(cli::make_telemetry(io_.get_executor(), o)->state(), telemetry_state::enabled);
}

TEST_F(CliTelemetry, AnonymousIdIsStableAcrossRunsAndPrivate) {
  const std::string first = cli::make_telemetry(io_.get_executor(), options())->anonymous_id();
  const std::string second = cli::make_telemetry(io_.get_executor(), options())->anonymous_id();
  EXPECT_EQ(first, second);
  EXPECT_EQ(first.size(), 36u);
  EXPECT_EQ(std::filesystem::status(dir_ / "anonymous_id").permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_EQ(cli::read_status(options()).anonymous_id, first);
  EXPECT_NE(cli::make_telemetry(io_.get_executor(), options())->invocation_id(),
            cli::make_telemetry(io_.get_executor(), options())->invocation_id());
}

TEST_F(CliTelemetry, DebugPrintModePrintsJsonAndSendsNothing) {
  auto t = cli::make_telemetry(io_.get_executor(), options({{"DEMO_CLI_TELEMETRY_DEBUG", "1"}}));
  ASSERT_FALSE(t->track("Printed", {{"k", "v"}}));
  EXPECT_TRUE(sink_->events().empty());
  auto line = nlohmann::json::parse(diag_.str());
  EXPECT_EQ(line["event"], "Printed");
  EXPECT_EQ(line["properties"]["k"], "v");
  EXPECT_EQ(line["properties"]["sequence"], 1);
}

TEST_F(CliTelemetry, CloseTimeoutFromTheEnvironment) {
  EXPECT_EQ(cli::make_telemetry(io_.get_executor(), options())->close_timeout(), 3s);
  EXPECT_EQ(cli::make_telemetry(io_.get_executor(), options({{"DEMO_CLI_CLOSE_TIMEOUT_MS", "250"}}))->close_timeout(), 250ms);
  EXPECT_EQ(cli::make_telemetry(io_.get_executor(), options({{"DEMO_CLI_CLOSE_TIMEOUT_MS", "soon"}}))->close_timeout(), 3s);
}

TEST_F(CliTelemetry, TheNoOpFacadeKeepsTheCloseTimeout) {
  auto t = cli::make_telemetry(io_.get_executor(), options({{"DO_NOT_TRACK", "1"}, {"DEMO_CLI_CLOSE_TIMEOUT_MS", "250"}}));
  EXPECT_EQ(t->state(), telemetry_state::disabled_by_env);
  EXPECT_EQ(t->close_timeout(), 250ms);  // the runner bounds its after-hook with it
  EXPECT_EQ(cli::make_noop_telemetry(telemetry_state::unavailable)->close_timeout(), 3s);
}

TEST_F(CliTelemetry, AnEmptyEnvironmentFunctionReadsAsNoVariables) {
  auto o = options();
  o.env = nullptr;
  auto t = cli::make_telemetry(io_.get_executor(), o);
  EXPECT_EQ(t->state(), telemetry_state::enabled);
  EXPECT_EQ(cli::read_status(o).state, telemetry_state::enabled);
}

TEST_F(CliTelemetry, StatusTable) {
  struct row {
    const char* name;
    std::map<std::string, std::string> env;
    bool write_key;
    telemetry_state expected;
  };
  const row rows[] = {
      {"enabled", {}, true, telemetry_state::enabled},
      {"DO_NOT_TRACK", {{"DO_NOT_TRACK", "1"}}, true, telemetry_state::disabled_by_env},
      {"app variable", {{"DEMO_CLI_TELEMETRY_DISABLED", "yes"}}, true, telemetry_state::disabled_by_env},
      {"debug print", {{"DEMO_CLI_TELEMETRY_DEBUG", "1"}}, true, telemetry_state::debug_print},
      {"no write key", {}, false, telemetry_state::no_write_key},
      {"write key from env", {{"DEMO_CLI_WRITE_KEY", "k"}}, false, telemetry_state::enabled},
  };
  for (const auto& r : rows) {
    auto o = options(r.env);
    o.sink = nullptr;
    if (!r.write_key) o.write_key.clear();
    const auto s = cli::read_status(o);
    EXPECT_EQ(s.state, r.expected) << r.name;
    EXPECT_EQ(s.state_dir, dir_) << r.name;
  }
  EXPECT_FALSE(std::filesystem::exists(dir_));  // status creates nothing
}

TEST_F(CliTelemetry, StateDirFromTheAppVariable) {
  auto o = options({{"DEMO_CLI_STATE_DIR", (dir_ / "from-env").string()}});
  o.state_dir.clear();
  auto t = cli::make_telemetry(io_.get_executor(), o);
  EXPECT_TRUE(std::filesystem::exists(dir_ / "from-env" / "anonymous_id"));
  EXPECT_EQ(cli::read_status(o).anonymous_id, t->anonymous_id());
}

TEST_F(CliTelemetry, UnwritableStateDirGivesAnInMemoryId) {
  auto o = options();
  o.state_dir = "/proc/flowtrack-cannot-exist/state";
  auto a = cli::make_telemetry(io_.get_executor(), o);
  auto b = cli::make_telemetry(io_.get_executor(), o);
  EXPECT_EQ(a->state(), telemetry_state::enabled);
  EXPECT_EQ(a->anonymous_id().size(), 36u);
  EXPECT_NE(a->anonymous_id(), b->anonymous_id());  // random each run, nothing persisted
  ASSERT_FALSE(a->track("E"));
  EXPECT_EQ(sink_->events().at(0).anonymous_id, a->anonymous_id());
}

TEST(CliEnvironment, PrefixFlagsStateDirAndCi) {
  EXPECT_EQ(cli::env_prefix("my-cli.v2"), "MY_CLI_V2");
  auto env = cli::fixed_environment({{"HOME", "/home/u"}, {"XDG_STATE_HOME", "/xdg"}, {"GITHUB_ACTIONS", "true"}});
  EXPECT_EQ(cli::telemetry_state_dir("app", env), "/xdg/app/telemetry");
  EXPECT_EQ(cli::telemetry_state_dir("app", cli::fixed_environment({{"HOME", "/home/u"}})),
            "/home/u/.local/state/app/telemetry");
  EXPECT_EQ(cli::telemetry_state_dir("app", cli::fixed_environment({{"APP_STATE_DIR", "/s"}, {"HOME", "/h"}})), "/s");
  EXPECT_TRUE(cli::telemetry_state_dir("app", cli::fixed_environment({})).empty());
  EXPECT_TRUE(cli::running_in_ci(env));
  EXPECT_FALSE(cli::running_in_ci(cli::fixed_environment({{"CI", "false"}})));
  for (const char* marker : {"CI", "GITHUB_ACTIONS", "GITLAB_CI", "BUILDKITE", "CIRCLECI", "JENKINS_URL", "TF_BUILD"})
    EXPECT_TRUE(cli::running_in_ci(cli::fixed_environment({{marker, "1"}}))) << marker;
  EXPECT_FALSE(cli::running_in_ci(cli::fixed_environment({{"HOME", "/h"}})));
  EXPECT_TRUE(cli::env_flag(cli::fixed_environment({{"X", "on"}}), "X"));
  EXPECT_FALSE(cli::env_flag(cli::fixed_environment({{"X", "0"}}), "X"));
}

// A bad value never disappears silently: telemetry status names each, DEBUG=1 prints them on
// the diagnostics stream, and no secret is in the sentence.
TEST_F(CliTelemetry, UnusableSettingsAreNamedInTheStatusAndUnderDebug) {
  struct row {
    std::map<std::string, std::string> env;
    std::size_t problems;
    const char* mentions;
  };
  const row rows[] = {
      {{}, 0, ""},
      {{{"DEMO_CLI_CLOSE_TIMEOUT_MS", "soon"}}, 1, "DEMO_CLI_CLOSE_TIMEOUT_MS"},
      {{{"DEMO_CLI_CLOSE_TIMEOUT_MS", "900000"}}, 1, "the default 3000 ms applies"},
      {{{"DEMO_CLI_CLOSE_TIMEOUT_MS", "250"}}, 0, ""},
      {{{"DEMO_CLI_ENDPOINT", "ftp://user:hunter2@host"}}, 1, "http(s)://host[:port]"},
      {{{"DEMO_CLI_WRITE_KEY", "key\nwith-newline"}}, 1, "control characters"},
  };
  for (const auto& r : rows) {
    const auto s = cli::read_status(options(r.env));
    ASSERT_EQ(s.config_problems.size(), r.problems) << (s.config_problems.empty() ? "" : s.config_problems[0]);
    if (r.problems == 0) continue;
    EXPECT_NE(s.config_problems[0].find(r.mentions), std::string::npos) << s.config_problems[0];
    EXPECT_EQ(s.config_problems[0].find("hunter2"), std::string::npos) << "never the endpoint's credentials";
    EXPECT_EQ(cli::to_json(s)["config_problems"].size(), r.problems);
    auto env = r.env;
    env["DEBUG"] = "1";
    diag_.str("");
    (void)cli::make_telemetry(io_.get_executor(), options(env));
    EXPECT_NE(diag_.str().find(s.config_problems[0]), std::string::npos) << diag_.str();
  }
}

}  // namespace
}  // namespace flowtrack::test
