// error_class(): a short, stable name for what went wrong, for telemetry. It is the first
// informative type in the error's chain, never its message (messages may hold paths, hosts,
// user data).
//
// Mapping:
// - std::error_code / std::system_error: "<category>:<value name>", e.g. "generic:ENOENT",
//   "system:ECONNREFUSED", "flowtrack:connect_timeout"; other categories: "<category>:<value>".
// - nested exceptions (std::throw_with_nested): the chain is walked outermost first; a level
//   that adds nothing (a plain std::exception, std::runtime_error, std::logic_error or
//   std::nested_exception wrapper around an inner error) is skipped in favour of the next.
// - any other exception: its demangled dynamic type, e.g. "app::auth_error".
// - a non-std exception: "unknown"; no error: "".
#pragma once

#include <exception>
#include <string>
#include <system_error>

namespace flowtrack::cli {

std::string error_class(const std::error_code& ec);
std::string error_class(const std::exception& e);
std::string error_class(const std::exception_ptr& e);

}  // namespace flowtrack::cli
