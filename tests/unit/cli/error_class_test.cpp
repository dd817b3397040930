#include "flowtrack/cli/error_class.hpp"

#include <gtest/gtest.h>

#include <filesystem>

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
      {"bare nested_exception wrapper skipped",
       class_of_thrown([] {
         try {
           throw app::config_error();
         } catch (...) {
           throw std::nested_exception();  // captures the current exception; adds nothing
         }
       }),
       "app::config_error"},
      {"nested: generic all the way down keeps the generic name",
       class_of_thrown([] {
         try {
           throw std::logic_error("inner");
         } catch (...) {
           std::throw_with_nested(std::runtime_error("outer"));
         }
       }),
       "std::runtime_error"},
      {"nested: non-std inner keeps the wrapper's name",
       class_of_thrown([] {
         try {
           throw 7;
         } catch (...) {
           std::throw_with_nested(std::runtime_error("outer"));
         }
       }),
       "std::runtime_error"},
      {"subclass of a generic type is informative",
       class_of_thrown([] {
         try {
           throw app::config_error();
         } catch (...) {
           std::throw_with_nested(app::auth_error("outer"));
         }
       }),
       "app::auth_error"},
      {"system_error subclass",
       class_of_thrown([] {
         throw std::filesystem::filesystem_error("/home/alice/x", std::make_error_code(std::errc::read_only_file_system));
       }),
       "generic:EROFS"},
      {"informative outer system_error wins over nested",
       class_of_thrown([] {
         try {
           throw app::auth_error("inner");
         } catch (...) {
           std::throw_with_nested(std::system_error(errc::spool_io));
         }
       }),
       "flowtrack:spool_io"},
  };
  for (const auto& r : rows) EXPECT_EQ(r.actual, r.expected) << r.name;
}

TEST(ErrorClass, ErrorCodesAndNothing) {
  EXPECT_EQ(cli::error_class(std::error_code{}), "");
  EXPECT_EQ(cli::error_class(std::exception_ptr{}), "");
}

TEST(ErrorClass, ErrorCodeTable) {
  struct row {
    std::error_code code;
    const char* expected;
  };
  const row rows[] = {
      {std::error_code(ECONNREFUSED, std::system_category()), "system:ECONNREFUSED"},
      {std::error_code(ECONNRESET, std::system_category()), "system:ECONNRESET"},
      {std::error_code(ETIMEDOUT, std::system_category()), "system:ETIMEDOUT"},
      {std::error_code(ENOSPC, std::system_category()), "system:ENOSPC"},
      {std::error_code(EPIPE, std::system_category()), "system:EPIPE"},
      {std::error_code(EWOULDBLOCK, std::system_category()), "system:EAGAIN"},  // the same value on Linux
      {std::make_error_code(std::errc::no_such_file_or_directory), "generic:ENOENT"},
      {std::make_error_code(std::errc::permission_denied), "generic:EACCES"},
      {std::error_code(asio::error::connection_refused), "system:ECONNREFUSED"},  // asio.system
      {std::error_code(asio::error::operation_aborted), "system:ECANCELED"},
      {std::error_code(asio::error::host_not_found), "asio.netdb:host_not_found"},
      {std::error_code(asio::error::service_not_found), "asio.addrinfo:service_not_found"},
      {std::error_code(asio::error::eof), "asio.misc:eof"},
      {make_error_code(errc::connect_timeout), "flowtrack:connect_timeout"},
      {make_error_code(errc::retries_exhausted), "flowtrack:retries_exhausted"},
      {std::error_code(4242, std::system_category()), "system:4242"},
      {std::error_code(999, flowtrack::error_category()), "flowtrack:999"},
  };
  for (const auto& r : rows) EXPECT_EQ(cli::error_class(r.code), r.expected) << r.code.message();
}

TEST(ErrorClass, ExceptionReferenceOverload) {
  EXPECT_EQ(cli::error_class(app::auth_error("x")), "app::auth_error");
  EXPECT_EQ(cli::error_class(std::system_error(std::make_error_code(std::errc::timed_out))), "generic:ETIMEDOUT");
  EXPECT_EQ(cli::error_class(std::runtime_error("x")), "std::runtime_error");
}

TEST(ErrorClass, NeverContainsTheMessage) {
  const std::string secret = "password=hunter2";
  auto c = class_of_thrown([&] { throw std::system_error(EIO, std::system_category(), secret); });
  EXPECT_EQ(c.find("hunter2"), std::string::npos);
}

}  // namespace
}  // namespace flowtrack::test
