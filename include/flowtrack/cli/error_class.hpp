// error_class(): a short, stable name for what went wrong, for telemetry. It is the first
// informative type in the error's chain, never its message (messages may hold paths, hosts,
// user data).
//
// Mapping:
// - std::error_code / std::system_error (and its subclasses, e.g. filesystem_error):
//   "<category>:<value name>", e.g. "generic:ENOENT", "system:ECONNREFUSED",
//   "flowtrack:connect_timeout", "asio.netdb:host_not_found", "asio.misc:eof". errno values are
//   named from a table (the POSIX names; Asio's "asio.system" twin is reported as "system");
//   a value without a name: "<category>:<number>".
// - nested exceptions (std::throw_with_nested, std::nested_exception): the chain is walked
//   outermost first. A level that adds nothing is skipped in favour of the next: a bare
//   std::nested_exception, or one of the generic wrapper types std::exception,
//   std::runtime_error, std::logic_error (exactly those types, not their subclasses). If
//   nothing below is informative, the generic level's own name is used ("std::runtime_error").
// - any other exception: its demangled dynamic type, e.g. "app::auth_error"
//   (std::throw_with_nested(E) is named E, not std::_Nested_exception<E>).
// - a non-std exception: "unknown"; no error (empty code or pointer): "".
//
// Pure functions: thread-safe; they throw nothing but std::bad_alloc.
#pragma once

#include <exception>
#include <string>
#include <system_error>

namespace flowtrack::cli {

std::string error_class(const std::error_code& ec);
std::string error_class(const std::exception& e);
std::string error_class(const std::exception_ptr& e);

}  // namespace flowtrack::cli
