// flowtrack::validate_config: the constructor's checks, callable without creating a client (the
// CLI facade checks its settings at once, then creates the client with the first event).
#include <gtest/gtest.h>

#include <string>
#include <system_error>

#include "flowtrack/config.hpp"
#include "flowtrack/error.hpp"

namespace flowtrack::test {
namespace {

TEST(ValidateConfig, NamesTheFirstUnusableSettingOrAcceptsTheConfig) {
  struct row {
    const char* name;
    config c;
    const char* names;  // nullptr: accepted
  };
  const row rows[] = {
      {"defaults with a key", {.write_key = "k"}, nullptr},
      {"no key", {}, "write_key"},
      {"endpoint not http(s)", {.write_key = "k", .endpoint = "ftp://host"}, "endpoint"},
      {"batch of zero", {.write_key = "k", .batch_max_messages = 0}, "batch_max_messages"},
      {"write-ahead without a spool", {.write_key = "k", .write_ahead = true}, "write_ahead"},
  };
  for (const auto& r : rows) {
    if (!r.names) {
      EXPECT_NO_THROW(validate_config(r.c)) << r.name;
      continue;
    }
    try {
      validate_config(r.c);
      ADD_FAILURE() << r.name << ": accepted";
    } catch (const std::system_error& e) {
      EXPECT_EQ(e.code(), errc::invalid_config) << r.name;
      EXPECT_NE(std::string(e.what()).find(r.names), std::string::npos) << r.name << ": " << e.what();
    }
  }
}

}  // namespace
}  // namespace flowtrack::test
