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

// Types whose compiler spelling differs (g++ "{lambda()#1}", clang "$_0"): rule 4.
inline std::exception_ptr local_class_in_a_function() {
  struct local_error : std::runtime_error {
    using std::runtime_error::runtime_error;
  };
  return std::make_exception_ptr(local_error("x"));
}

inline std::exception_ptr local_class_in_a_lambda() {
  return [] {
    struct lambda_error : std::exception {};
    return std::make_exception_ptr(lambda_error());
  }();
}

static struct : std::exception {
} unnamed_error;

namespace {
struct hidden_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};
}  // namespace

namespace tools {
struct widget {
  static std::exception_ptr fail() {
    struct member_local_error : std::exception {};
    return std::make_exception_ptr(member_local_error());
  }
};
}  // namespace tools

/// `levels` generic wrappers (std::runtime_error, via throw_with_nested) around `inner`.
template <class Inner>
std::exception_ptr wrapped(std::size_t levels, Inner inner) {
  std::exception_ptr p;
  try {
    inner();
  } catch (...) {
    p = std::current_exception();
  }
  for (std::size_t i = 0; i < levels; ++i) {
    try {
      try {
        std::rethrow_exception(p);
      } catch (...) {
        std::throw_with_nested(std::runtime_error("while doing step " + std::to_string(i)));
      }
    } catch (...) {
      p = std::current_exception();
    }
  }
  return p;
}

// A category with no name.
struct nameless_category : std::error_category {
  const char* name() const noexcept override { return ""; }
  std::string message(int) const override { return "?"; }
};
inline const nameless_category nameless;
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

// One row per naming rule (error_class.hpp); the same strings are expected from the g++ and the
// clang build (scripts/gcc-cli-check.sh runs this file built with g++).
TEST(ErrorClass, EachNamingRule) {
  struct row {
    const char* rule;
    std::string actual;
    std::string expected;
  };
  const row rows[] = {
      // 2. never empty
      {"system_error with an empty code", class_of_thrown([] { throw std::system_error(std::error_code()); }),
       "system:unknown"},
      {"generic category, value 0", class_of_thrown([] { throw std::system_error(0, std::generic_category()); }),
       "generic:unknown"},
      {"category without a name", class_of_thrown([] { throw std::system_error(5, app::nameless); }), "unknown:5"},
      {"category without a name, value 0", class_of_thrown([] { throw std::system_error(0, app::nameless); }),
       "unknown:unknown"},
      {"a non-std exception", class_of_thrown([] { throw "text"; }), "unknown"},
      // 3. any depth
      {"33 wrappers (past the old limit of 32)",
       cli::error_class(app::wrapped(33, [] { throw app::auth_error("x"); })), "app::auth_error"},
      {"1000 wrappers", cli::error_class(app::wrapped(1000, [] { throw app::auth_error("x"); })), "app::auth_error"},
      {"a code 500 wrappers down",
       cli::error_class(app::wrapped(500, [] { throw std::system_error(std::make_error_code(std::errc::timed_out)); })),
       "generic:ETIMEDOUT"},
      {"past max_error_chain_depth: the outermost generic name",
       cli::error_class(app::wrapped(cli::max_error_chain_depth, [] { throw app::auth_error("x"); })),
       "std::runtime_error"},
      // 4. stable type names
      {"class local to a function", cli::error_class(app::local_class_in_a_function()), "app::<local>"},
      {"class local to a lambda", cli::error_class(app::local_class_in_a_lambda()), "app::<local>"},
      {"class local to a member function", cli::error_class(app::tools::widget::fail()), "app::tools::widget::<local>"},
      // NOLINTNEXTLINE(misc-throw-by-value-catch-by-reference): an unnamed class has no name to make a temporary of
      {"unnamed class", class_of_thrown([] { throw app::unnamed_error; }), "app::<local>"},
      {"anonymous namespace keeps its name", class_of_thrown([] { throw app::hidden_error("x"); }),
       "app::(anonymous namespace)::hidden_error"},
      {"a local class nested in a generic wrapper",
       cli::error_class(app::wrapped(3, [] { std::rethrow_exception(app::local_class_in_a_lambda()); })),
       "app::<local>"},
  };
  for (const auto& r : rows) EXPECT_EQ(r.actual, r.expected) << r.rule;
  for (const auto& r : rows) EXPECT_FALSE(r.actual.empty()) << r.rule;
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
