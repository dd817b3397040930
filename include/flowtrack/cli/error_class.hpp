// error_class(): a short, stable name for what went wrong, for telemetry. It names the first
// informative type in the error's chain, never its message (messages may hold paths, hosts,
// user data). The same error gives the same string from a g++ and a clang build, and from
// two builds of one program, so a dashboard counts one error as one class.
//
// The rules (docs/CLI-TELEMETRY.md, "error_class"; each has a row in error_class_test.cpp):
// 1. Codes (std::error_code, std::system_error and its subclasses, e.g. filesystem_error):
//    "<category>:<value name>", e.g. "generic:ENOENT", "system:ECONNREFUSED",
//    "flowtrack:connect_timeout", "asio.netdb:host_not_found", "asio.misc:eof". errno values
//    are named from a table (the POSIX names; Asio's "asio.system" twin is reported as
//    "system"); a value without a name: "<category>:<number>"; a category whose name() is
//    empty: "unknown:<...>". Never empty for an error.
// 2. A std::system_error whose code is empty (value 0) names nothing by itself: rule 3 treats
//    it as a generic level ("std::system_error" if nothing below is informative).
// 3. Chains (std::throw_with_nested, std::nested_exception) are walked outermost first; the
//    first informative level wins. Generic levels are skipped: a bare std::nested_exception,
//    exactly std::exception, std::runtime_error or std::logic_error (not their subclasses),
//    and rule 2's empty system_error. The walk is iterative and looks at up to
//    error_class_max_depth levels, so an informative type at any realistic depth is found;
//    only when none is seen within that limit is the outermost level's generic name used.
// 4. Any other exception: its type's name made stable (src/cli/type_name.hpp):
//    "app::auth_error"; std::throw_with_nested(E) is named E; `(anonymous namespace)` is
//    `<anonymous>`, unnamed types are `<anonymous>`, ABI tags ([abi:cxx11]) are dropped, and a
//    local type (declared in a function or lambda) is `<scope>::<local>::<name>`, e.g.
//    "app::<local>::parse_error" for a struct parse_error declared in app::load().
// 5. A non-std exception: "unknown". No error at all (empty code or exception_ptr): "".
//
// Pure functions: thread-safe; they throw nothing but std::bad_alloc.
#pragma once

#include <exception>
#include <string>
#include <system_error>

namespace flowtrack::cli {

/// How many levels of a nested-exception chain error_class() looks at (rule 3).
inline constexpr int error_class_max_depth = 1024;

std::string error_class(const std::error_code& ec);
std::string error_class(const std::exception& e);
std::string error_class(const std::exception_ptr& e);

}  // namespace flowtrack::cli
