#include "flowtrack/cli/error_class.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>

#include <asio/error.hpp>

#include "cli/type_name.hpp"
#include "flowtrack/error.hpp"

namespace app {
struct auth_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct config_error : std::exception {
  const char* what() const noexcept override { return "secret path /home/user/.config"; }
};
struct widget {
  [[noreturn]] void run() const {
    struct in_member : std::exception {};
    throw in_member();
  }
};
namespace {
struct hidden_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};
}  // namespace
inline void throw_from_lambda() {
  [] {
    struct local_error : std::exception {};
    throw local_error();
  }();
}
template <class T>
[[noreturn]] void throw_from_template() {
  struct in_template : std::exception {};
  throw in_template();
}
[[noreturn]] inline void throw_unnamed() {
  struct : std::exception {
  } unnamed;
  throw unnamed;
}
}  // namespace app

[[noreturn]] inline std::string throw_local_at_global_scope() {  // returns std::string: g++ tags it [abi:cxx11]
  struct local_error : std::exception {};
  throw local_error();
}

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

// A chain of `wrappers` std::runtime_error levels around `innermost`.
// NOLINTNEXTLINE(misc-no-recursion): one level per wrapper
void throw_chain(int wrappers, const std::function<void()>& innermost) {
  if (wrappers == 0) {
    innermost();
    return;
  }
  try {
    throw_chain(wrappers - 1, innermost);
  } catch (...) {
    std::throw_with_nested(std::runtime_error("level"));
  }
}

// One row per naming rule (include/flowtrack/cli/error_class.hpp). The strings are literals:
// the g++ and the clang build of this test both pass, so both give the same strings.
TEST(ErrorClass, RuleTable) {
  struct row {
    const char* rule;
    std::string actual;
    std::string expected;
  };
  struct nameless_category final : std::error_category {
    const char* name() const noexcept override { return ""; }
    std::string message(int) const override { return "m"; }
  };
  static const nameless_category nameless;
  const row rows[] = {
      {"1: code with a named value", class_of_thrown([] { throw std::system_error(EPIPE, std::generic_category()); }),
       "generic:EPIPE"},
      {"1: code without a value name", class_of_thrown([] { throw std::system_error(4242, std::system_category()); }),
       "system:4242"},
      {"1: category without a name", class_of_thrown([] { throw std::system_error(7, nameless); }), "unknown:7"},
      {"2: empty code names nothing", class_of_thrown([] { throw std::system_error(std::error_code()); }),
       "std::system_error"},
      {"2: empty code skipped in favour of what it wraps",
       class_of_thrown([] {
         try {
           throw app::auth_error("inner");
         } catch (...) {
           std::throw_with_nested(std::system_error(std::error_code(), "while logging in"));
         }
       }),
       "app::auth_error"},
      {"3: informative type under 40 wrappers", class_of_thrown([] { throw_chain(40, [] { throw app::auth_error("x"); }); }),
       "app::auth_error"},
      {"3: informative code under 500 wrappers",
       class_of_thrown([] { throw_chain(500, [] { throw std::system_error(errc::spool_io); }); }), "flowtrack:spool_io"},
      {"3: beyond the depth limit: the generic name",
       class_of_thrown([] { throw_chain(cli::error_class_max_depth + 5, [] { throw app::auth_error("x"); }); }),
       "std::runtime_error"},
      {"4: type in an anonymous namespace", class_of_thrown([] { throw app::hidden_error("x"); }),
       "app::<anonymous>::hidden_error"},
      {"4: local type in a lambda in a function", class_of_thrown([] { app::throw_from_lambda(); }),
       "app::<local>::local_error"},
      {"4: local type, ABI-tagged function at global scope", class_of_thrown([] { (void)throw_local_at_global_scope(); }),
       "<local>::local_error"},
      {"4: local type in a member function", class_of_thrown([] { app::widget{}.run(); }), "app::widget::<local>::in_member"},
      {"4: local type in a function template", class_of_thrown([] { app::throw_from_template<int>(); }),
       "app::<local>::in_template"},
      {"4: unnamed local type", class_of_thrown([] { app::throw_unnamed(); }), "app::<local>::<anonymous>"},
      {"4: nested local type",
       class_of_thrown([] {
         try {
           app::throw_from_lambda();
         } catch (...) {
           std::throw_with_nested(std::runtime_error("outer"));
         }
       }),
       "app::<local>::local_error"},
      {"1: a system_error subclass with an ABI tag", class_of_thrown([] { throw std::ios_base::failure("x"); }),
       "iostream:1"},
      {"5: not a std::exception", class_of_thrown([] { throw 42; }), "unknown"},
  };
  for (const auto& r : rows) EXPECT_EQ(r.actual, r.expected) << r.rule;
}

// The demangled names g++ 12 and clang 14 give for the same types (collected from both
// builds): each pair maps to one string.
TEST(ErrorClass, StableNamesFromBothCompilersDemangledForms) {
  struct row {
    const char* gcc;
    const char* clang;
    bool local;
    const char* expected;
  };
  const row rows[] = {
      {"app::chains[abi:cxx11]()::{lambda()#1}::operator()() const::local_error",
       "app::chains[abi:cxx11]()::$_0::operator()() const::local_error", true, "app::<local>::local_error"},
      {"app::chains[abi:cxx11]()::{lambda()#1}::operator()() const::{unnamed type#1}",
       "app::chains[abi:cxx11]()::$_0::operator()() const::$_3", true, "app::<local>::<anonymous>"},
      {"app::chains[abi:cxx11]()::fn_local", "app::chains[abi:cxx11]()::fn_local", true, "app::<local>::fn_local"},
      {"app::tmpl<int>()::in_tmpl", "app::tmpl<int>()::in_tmpl", true, "app::<local>::in_tmpl"},
      {"app::widget::run() const::in_member", "app::widget::run() const::in_member", true,
       "app::widget::<local>::in_member"},
      {"global_lambda::{lambda()#1}::operator()() const::gl", "$_1::operator()() const::gl", true, "<local>::gl"},
      {"app::handler::{lambda()#1}::operator()() const::hl", "app::$_0::operator()() const::hl", true, "app::<local>::hl"},
      {"app::S::f::{lambda()#1}::operator()() const::ml", "app::S::f::{lambda()#1}::operator()() const::ml", true,
       "app::S::<local>::ml"},
      {"main::{unnamed type#1}", "main::$_2", true, "<local>::<anonymous>"},
      {"app::(anonymous namespace)::anon_error", "app::(anonymous namespace)::anon_error", false,
       "app::<anonymous>::anon_error"},
      {"std::ios_base::failure[abi:cxx11]", "std::ios_base::failure[abi:cxx11]", false, "std::ios_base::failure"},
      {"app::error<std::map<int, int> >", "app::error<std::map<int, int> >", false, "app::error<std::map<int, int> >"},
  };
  for (const auto& r : rows) {
    EXPECT_EQ(cli::detail::stable_demangled_name(r.gcc, r.local), r.expected) << r.gcc;
    EXPECT_EQ(cli::detail::stable_demangled_name(r.clang, r.local), r.expected) << r.clang;
  }
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
