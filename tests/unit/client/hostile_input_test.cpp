// Hostile input through the public API: every case gives a clear error code or a documented
// repair, and nothing escapes track()/identify()/... as an exception or a crash.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "client_test_support.hpp"
#include "flowtrack/client.hpp"

namespace flowtrack::test {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;

json deep(int levels) {
  json v = 1;
  for (int i = 0; i < levels; ++i) v = json::array({std::move(v)});
  return v;
}

TEST(HostileInput, TableOfCodesAndRepairs) {
  loopback_server server;
  asio::io_context io;
  client c{io, {.write_key = "k", .endpoint = server.url(), .flush_interval = 1h}};
  const std::string bad_utf8 = "a\xff\xfe" "b";
  const std::string with_nul("nul\0byte", 8);
  json many = json::object();
  for (int i = 0; i < 3000; ++i) many["p" + std::to_string(i)] = i;
  struct row {
    const char* name;
    std::function<std::error_code()> call;
    std::error_code expected;
  };
  const row rows[] = {
      {"invalid UTF-8 in event (repaired)", [&] { return c.track({.user_id = "u", .event = bad_utf8}); }, {}},
      {"invalid UTF-8 in user id (repaired)", [&] { return c.track({.user_id = bad_utf8, .event = "E"}); }, {}},
      {"invalid UTF-8 in a key (repaired)", [&] { return c.track({.user_id = "u", .event = "E", .properties = {{bad_utf8, 1}}}); }, {}},
      {"invalid UTF-8 in traits (repaired)", [&] { return c.identify({.user_id = "u", .traits = {{"t", bad_utf8}}}); }, {}},
      {"invalid UTF-8 in group id (repaired)", [&] { return c.group({.user_id = "u", .group_id = bad_utf8}); }, {}},
      {"NUL bytes (escaped)", [&] { return c.track({.user_id = with_nul, .event = with_nul, .properties = {{"v", with_nul}}}); }, {}},
      {"1 MB property value", [&] { return c.track({.user_id = "u", .event = "E", .properties = {{"v", std::string(1 << 20, 'x')}}}); }, errc::message_too_large},
      {"10000-deep nesting", [&] { return c.track({.user_id = "u", .event = "E", .properties = {{"v", deep(10000)}}}); }, errc::nesting_too_deep},
      {"NaN", [&] { return c.track({.user_id = "u", .event = "E", .properties = {{"v", std::nan("")}}}); }, errc::invalid_number},
      {"infinity in context", [&] { return c.track({.user_id = "u", .event = "E", .context = {{"v", std::numeric_limits<double>::infinity()}}}); }, errc::invalid_number},
      {"huge integers (kept exact)", [&] { return c.track({.user_id = "u", .event = "E", .properties = {{"max", std::numeric_limits<std::uint64_t>::max()}, {"min", std::numeric_limits<std::int64_t>::min()}}}); }, {}},
      {"empty event name", [&] { return c.track({.user_id = "u", .event = ""}); }, errc::invalid_message},
      {"10 KB event name", [&] { return c.track({.user_id = "u", .event = std::string(std::size_t{10} * 1024, 'e')}); }, {}},
      {"thousands of properties (too large)", [&] { return c.track({.user_id = "u", .event = "E", .properties = many}); }, errc::message_too_large},
      {"properties not an object", [&] { return c.track({.user_id = "u", .event = "E", .properties = "string"}); }, errc::invalid_message},
      {"binary value", [&] { return c.track({.user_id = "u", .event = "E", .properties = {{"b", json::binary({1, 2, 3})}}}); }, errc::invalid_message},
      {"message id with a quote", [&] { return c.track({.user_id = "u", .event = "E", .message_id = "a\"b"}); }, errc::invalid_message},
      {"alias without previous id", [&] { return c.alias({.user_id = "u"}); }, errc::invalid_message},
  };
  for (const auto& r : rows) {
    std::error_code ec;
    EXPECT_NO_THROW(ec = r.call()) << r.name;
    EXPECT_EQ(ec, r.expected) << r.name;
  }
  ASSERT_TRUE(run_coroutine(io, [&]() -> asio::awaitable<void> { co_await c.async_close(2s); }));
  // Everything accepted arrived as valid JSON; repaired strings carry U+FFFD, NUL stays escaped.
  auto messages = received_messages(server);
  ASSERT_EQ(messages.size(), 8u);
  EXPECT_EQ(messages[0]["event"], "a\xEF\xBF\xBD\xEF\xBF\xBD" "b");
  EXPECT_EQ(messages[5]["properties"]["v"], with_nul);
  EXPECT_EQ(messages[6]["properties"]["max"], std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(messages[7]["event"].get<std::string>().size(), 10u * 1024);
}

}  // namespace
}  // namespace flowtrack::test
