// error_class(): a short, stable name for what went wrong, for telemetry. It is the first
// informative type in the error's chain, never its message (messages may hold paths, hosts,
// user data). The rules (docs/CLI-TELEMETRY.md, "Error classes"; each has a row in the unit
// table, run with both g++ and clang builds, which give identical strings):
//
// 1. Codes. std::error_code / std::system_error (and its subclasses, e.g. filesystem_error):
//    "<category>:<value name>", e.g. "generic:ENOENT", "system:ECONNREFUSED",
//    "flowtrack:connect_timeout", "asio.netdb:host_not_found", "asio.misc:eof". errno values are
//    named from a table (the POSIX names, the same on every system; Asio's "asio.system" twin is
//    reported as "system"); a value without a name: "<category>:<number>".
// 2. Never empty for an error. A category with no name is "unknown"; a system_error thrown with
//    an empty (zero) code is "<category>:unknown" (e.g. "system:unknown"); a non-std exception
//    is "unknown". Only "no error at all" (an empty code, a null exception_ptr) gives "".
// 3. Chains (std::throw_with_nested, std::nested_exception) are walked outermost first, at any
//    depth up to max_error_chain_depth levels. A level that adds nothing is skipped in favour of
//    the next: a bare std::nested_exception, or one of the generic wrapper types std::exception,
//    std::runtime_error, std::logic_error (exactly those types, not their subclasses). So the
//    deepest informative type wins over any number of generic wrappers above it; only when no
//    level within the limit is informative is the outermost generic name used
//    ("std::runtime_error").
// 4. Types. Any other exception: its demangled dynamic type, e.g. "app::auth_error"
//    (std::throw_with_nested(E) is named E, not std::_Nested_exception<E>). Local types (declared
//    in a function or lambda) and unnamed types, whose spelling differs between compilers and
//    builds, are named by their stable enclosing scope + "::<local>": a class local to
//    `app::upload()` is "app::<local>", whatever lambdas surround it. Types in an anonymous
//    namespace keep their name ("app::(anonymous namespace)::upload_error"): it is the same in
//    every build.
//
// Pure functions: thread-safe; they throw nothing but std::bad_alloc.
#pragma once

#include <cstddef>
#include <exception>
#include <string>
#include <system_error>

namespace flowtrack::cli {

/// How many levels of a nested-exception chain error_class() looks at (rule 3). The walk is a
/// loop, not a recursion: the bound only caps the time spent on a pathological chain.
inline constexpr std::size_t max_error_chain_depth = 1024;

std::string error_class(const std::error_code& ec);
std::string error_class(const std::exception& e);
std::string error_class(const std::exception_ptr& e);

}  // namespace flowtrack::cli
