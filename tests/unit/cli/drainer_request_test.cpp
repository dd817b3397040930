// The drainer's request (its stdin) and its lock: what crosses the process boundary.
#include "cli/drainer_request.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include "cli/drainer_lock.hpp"
#include "flowtrack/error.hpp"
#include "support/temp_dir.hpp"

namespace flowtrack::test {
namespace {

using namespace std::chrono_literals;
using cli::detail::drainer_request;

drainer_request sample() {
  drainer_request r;
  r.client.write_key = "KEY";
  r.client.endpoint = "https://api.example.com:8443";
  r.client.spool_dir = "/state/spool";
  r.client.batch_max_messages = 100;
  r.client.gzip = true;
  r.client.default_context = {{"app", {{"name", "x"}}}};
  r.client.timeouts.request = 7s;
  r.client.tls.verify = false;
  r.client.tls.ca_file = "/ca.pem";
  r.client.spool_max_age = std::chrono::hours(5);
  r.state_dir = "/state";
  r.lifetime = 1234ms;
  return r;
}

TEST(DrainerRequest, RoundTripsEverySettingItCarries) {
  const auto in = sample();
  drainer_request out;
  ASSERT_FALSE(cli::detail::parse_drainer_request(cli::detail::serialize(in), out));
  EXPECT_EQ(out.client.write_key, "KEY");
  EXPECT_EQ(out.client.endpoint, in.client.endpoint);
  EXPECT_EQ(out.client.spool_dir, in.client.spool_dir);
  EXPECT_EQ(out.client.batch_max_messages, 100u);
  EXPECT_TRUE(out.client.gzip);
  EXPECT_EQ(out.client.default_context, in.client.default_context);
  EXPECT_EQ(out.client.timeouts.request, 7s);
  EXPECT_FALSE(out.client.tls.verify);
  EXPECT_EQ(out.client.tls.ca_file, "/ca.pem");
  EXPECT_EQ(out.client.spool_max_age, std::chrono::hours(5));
  EXPECT_EQ(out.state_dir, in.state_dir);
  EXPECT_EQ(out.lifetime, 1234ms);
}

TEST(DrainerRequest, BadRequestsAreRefusedWithInvalidConfig) {
  auto with = [](auto change) {
    auto j = nlohmann::json::parse(cli::detail::serialize(sample()));
    change(j);
    return j.dump();
  };
  const std::string bad[] = {
      "", "not json", "[]", "{}",
      with([](auto& j) { j.erase("write_key"); }),
      with([](auto& j) { j["write_key"] = ""; }),
      with([](auto& j) { j["write_key"] = 5; }),
      with([](auto& j) { j["spool_dir"] = ""; }),
      with([](auto& j) { j["lifetime_ms"] = 0; }),
      with([](auto& j) { j["lifetime_ms"] = -1; }),
      with([](auto& j) { j["lifetime_ms"] = 25LL * 3600 * 1000; }),
      with([](auto& j) { j["default_context"] = "x"; }),
      with([](auto& j) { j["timeouts"].erase("request_ms"); }),
      with([](auto& j) { j["tls"] = nullptr; }),
  };
  for (const auto& text : bad) {
    drainer_request out;
    EXPECT_EQ(cli::detail::parse_drainer_request(text, out), errc::invalid_config) << text;
  }
}

TEST(DrainerRequest, TheDrainersClientRetriesUntilItsCloseCutsIt) {
  config parent;
  parent.retry.max_attempts = 3;
  parent.timeouts.request = 15s;
  parent.write_ahead = true;
  parent.logger = [](log_level, std::string_view) {};
  const auto c = cli::detail::drainer_client_config(parent);
  EXPECT_GT(c.retry.max_attempts, 1000);  // a 500 storm never exhausts it
  EXPECT_EQ(c.retry.total_budget, 0ms);
  EXPECT_LE(c.retry.max_delay, 1s);       // a recovered endpoint is noticed soon
  EXPECT_LE(c.timeouts.request, 2500ms);  // a black-holed request is abandoned and retried
  EXPECT_FALSE(c.write_ahead);
  EXPECT_FALSE(c.logger);
}

TEST(DrainerLock, OneHolderAtATimeAndTheProbeTakesNothing) {
  temp_dir dir("drainer-lock");
  std::filesystem::create_directories(dir.path());
  EXPECT_FALSE(cli::probe_drainer(dir.path()).running);  // no file: none
  int fd = -1;
  bool taken = false;
  ASSERT_FALSE(cli::detail::try_take_drainer_lock(dir.path(), fd, taken));
  ASSERT_TRUE(taken);
  cli::detail::record_drainer_pid(fd, 4242);
  for (int i = 0; i < 3; ++i) {  // probing again and again never takes it
    const auto p = cli::probe_drainer(dir.path());
    EXPECT_TRUE(p.running);
    EXPECT_EQ(p.pid, 4242);
  }
  int second = -1;
  bool second_taken = true;
  EXPECT_FALSE(cli::detail::try_take_drainer_lock(dir.path(), second, second_taken));
  EXPECT_FALSE(second_taken);
  EXPECT_EQ(second, -1);
  ::close(fd);
  EXPECT_FALSE(cli::probe_drainer(dir.path()).running);
  ASSERT_FALSE(cli::detail::try_take_drainer_lock(dir.path(), second, second_taken));
  EXPECT_TRUE(second_taken);
  ::close(second);
}

TEST(DrainerLock, ALockPathThatIsNotARegularFileIsAnErrorNotAHang) {
  temp_dir dir("drainer-lock-odd");
  std::filesystem::create_directories(dir.path());
  ASSERT_EQ(::mkfifo((dir.path() / "drainer.lock").c_str(), 0600), 0);
  int fd = -1;
  bool taken = true;
  EXPECT_EQ(cli::detail::try_take_drainer_lock(dir.path(), fd, taken), errc::not_regular_file);
  EXPECT_FALSE(taken);
  EXPECT_FALSE(cli::probe_drainer(dir.path()).running);
}

TEST(HandoffMark, WrittenAndRemoved) {
  temp_dir dir("handoff-mark");
  std::filesystem::create_directories(dir.path());
  EXPECT_FALSE(cli::detail::handoff_mark_present(dir.path()));
  cli::detail::write_handoff_mark(dir.path());
  EXPECT_TRUE(cli::detail::handoff_mark_present(dir.path()));
  cli::detail::remove_handoff_mark(dir.path());
  EXPECT_FALSE(cli::detail::handoff_mark_present(dir.path()));
}

}  // namespace
}  // namespace flowtrack::test
