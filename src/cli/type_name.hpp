// A type's name for telemetry that is the same from every compiler and build: the demangled
// name with the parts that differ between g++ and clang (and between two builds of one
// program) replaced by fixed tokens. The rules, in order:
//   1. `(anonymous namespace)` becomes `<anonymous>`; ABI tags (`[abi:cxx11]`) are removed.
//   2. An unnamed type (`{unnamed type#1}` from g++, `$_3` from clang) becomes `<anonymous>`.
//   3. A local type (declared inside a function or a lambda) becomes
//      `<scope>::<local>::<its own name>`, where <scope> is the qualified name of the scope
//      that holds the outermost enclosing function (`app::widget` for `app::widget::run()`),
//      or of the variable holding the outermost lambda, without that variable's own name
//      (clang names a namespace-scope lambda `app::$_0`, g++ `app::handler::{lambda()#1}`:
//      both give `app`). Empty scope: `<local>::<its own name>`.
//   4. std::throw_with_nested's wrapper, `std::_Nested_exception<E>`, is named E.
// Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace flowtrack::cli::detail {

/// The stable name of the type whose std::type_info::name() is `mangled`.
std::string stable_type_name(const char* mangled);

/// Rules 1-3 applied to an already demangled name; `local` says whether the type is local
/// (its mangled name is a <local-name>, starting with 'Z').
std::string stable_demangled_name(std::string_view demangled, bool local);

}  // namespace flowtrack::cli::detail
