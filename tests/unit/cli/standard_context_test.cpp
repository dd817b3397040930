#include "cli/standard_context.hpp"

#include <gtest/gtest.h>

#include <sys/utsname.h>

namespace {

using flowtrack::cli::detail::standard_context;
using nlohmann::json;

TEST(StandardContext, AppAndOsAreSetAndTheRestOfTheDefaultContextIsKept) {
  utsname u{};
  ASSERT_EQ(::uname(&u), 0);
  struct row {
    const char* name;
    json base;
    json kept;  // members of base expected unchanged
  };
  const row rows[] = {
      {"empty", json::object(), json::object()},
      {"null (not an object)", json(nullptr), json::object()},
      {"other members kept", json{{"locale", "en-GB"}, {"timezone", "Europe/London"}},
       json{{"locale", "en-GB"}, {"timezone", "Europe/London"}}},
      {"the app's own app and os win", json{{"app", {{"name", "other"}}}, {"os", "x"}, {"ip", "0.0.0.0"}},
       json{{"ip", "0.0.0.0"}}},
  };
  for (const auto& r : rows) {
    const json c = standard_context(r.base, "my-cli", "1.2.3");
    EXPECT_EQ(c["app"], json({{"name", "my-cli"}, {"version", "1.2.3"}})) << r.name;
    EXPECT_EQ(c["os"], json({{"name", u.sysname}, {"version", u.release}})) << r.name;
    EXPECT_EQ(c.size(), r.kept.size() + 2) << r.name;
    for (const auto& [k, v] : r.kept.items()) EXPECT_EQ(c[k], v) << r.name << ": " << k;
    EXPECT_FALSE(c.contains("library")) << r.name;  // the client adds its own
  }
}

}  // namespace
