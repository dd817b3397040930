#include "flowtrack/cli/error_class.hpp"

#include <gtest/gtest.h>

#include <asio/error.hpp>

#include "flowtrack/error.hpp"

namespace app {
struct auth_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct config_error : std::exception {
  const char* what() const noexcept override { return "secret path /home/user/.config"; }
};
}  // namespace app

namespace flowtrack::test {
namespace {

template <class F>
std::string class_of_thrown(F f) {
  try {
    f();
  } catch (...) {
    return cli::error_class(std::current_exception());
  }
  return "nothing thrown";
}

TEST(ErrorClass, Table) {
  struct row {
    const char* name;
    std::string actual;
    std::string expected;
  };
  const row rows[] = {
      {"custom type", class_of_thrown([] { throw app::auth_error("token for alice expired"); }), "app::auth_error"},
      {"custom std::exception", class_of_thrown([] { throw app::config_error(); }), "app::config_error"},
      {"plain runtime_error", class_of_thrown([] { throw std::runtime_error("msg"); }), "std::runtime_error"},
      {"std library type", class_of_thrown([] { throw std::out_of_range("i=7"); }), "std::out_of_range"},
      {"system_error errno", class_of_thrown([] { throw std::system_error(ECONNREFUSED, std::system_category(), "10.0.0.1"); }),
       "system:ECONNREFUSED"},
      {"generic errno", class_of_thrown([] { throw std::system_error(std::make_error_code(std::errc::no_such_file_or_directory)); }),
       "generic:ENOENT"},
      {"flowtrack code", class_of_thrown([] { throw std::system_error(errc::connect_timeout); }), "flowtrack:connect_timeout"},
      {"nested: wrapper skipped",
       class_of_thrown([] {
         try {
           throw app::auth_error("inner");
         } catch (...) {
           std::throw_with_nested(std::runtime_error("while logging in as alice"));
         }
       }),
       "app::auth_error"},
      {"nested: informative outer wins",
       class_of_thrown([] {
         try {
           throw std::runtime_error("inner");
         } catch (...) {
           std::throw_with_nested(app::auth_error("outer"));
         }
       }),
       "app::auth_error"},
      {"nested: system error inside two wrappers",
       class_of_thrown([] {
         try {
           try {
             throw std::system_error(std::make_error_code(std::errc::permission_denied));
           } catch (...) {
             std::throw_with_nested(std::runtime_error("opening /etc/secret"));
           }
         } catch (...) {
           std::throw_with_nested(std::logic_error("deploy failed"));
         }
       }),
       "generic:EACCES"},
      {"not a std::exception", class_of_thrown([] { throw 42; }), "unknown"},
  };
  for (const auto& r : rows) EXPECT_EQ(r.actual, r.expected) << r.name;
}

TEST(ErrorClass, ErrorCodesAndNothing) {
  EXPECT_EQ(cli::error_class(std::error_code{}), "");
  EXPECT_EQ(cli::error_class(std::exception_ptr{}), "");
  EXPECT_EQ(cli::error_class(make_error_code(errc::retries_exhausted)), "flowtrack:retries_exhausted");
  EXPECT_EQ(cli::error_class(std::error_code(asio::error::operation_aborted)), "system:ECANCELED");
  EXPECT_EQ(cli::error_class(std::error_code(asio::error::host_not_found)), "asio.netdb:1");
}

TEST(ErrorClass, NeverContainsTheMessage) {
  const std::string secret = "password=hunter2";
  auto c = class_of_thrown([&] { throw std::system_error(EIO, std::system_category(), secret); });
  EXPECT_EQ(c.find("hunter2"), std::string::npos);
}

}  // namespace
}  // namespace flowtrack::test
