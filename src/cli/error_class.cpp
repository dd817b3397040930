#include "flowtrack/cli/error_class.hpp"

#include <cxxabi.h>

#include <cerrno>
#include <cstdlib>
#include <memory>
#include <optional>
#include <stdexcept>
#include <typeinfo>
#include <string_view>
#include <utility>
#include <vector>

#include <asio/error.hpp>

#include "flowtrack/error.hpp"

namespace flowtrack::cli {
namespace {

std::string demangle(const char* mangled) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> out(abi::__cxa_demangle(mangled, nullptr, nullptr, &status), std::free);
  return status == 0 && out ? std::string(out.get()) : std::string(mangled);
}

// errno values by name: the names are the same on every POSIX system, the numbers are not.
// Aliases with the same value (EWOULDBLOCK, EDEADLOCK, EOPNOTSUPP on Linux) take the first name.
const char* errno_name(int value) {
  static constexpr std::pair<int, const char*> names[] = {
      {EPERM, "EPERM"}, {ENOENT, "ENOENT"}, {ESRCH, "ESRCH"}, {EINTR, "EINTR"}, {EIO, "EIO"},
      {ENXIO, "ENXIO"}, {E2BIG, "E2BIG"}, {ENOEXEC, "ENOEXEC"}, {EBADF, "EBADF"}, {ECHILD, "ECHILD"},
      {EAGAIN, "EAGAIN"}, {ENOMEM, "ENOMEM"}, {EACCES, "EACCES"}, {EFAULT, "EFAULT"}, {EBUSY, "EBUSY"},
      {EEXIST, "EEXIST"}, {EXDEV, "EXDEV"}, {ENODEV, "ENODEV"}, {ENOTDIR, "ENOTDIR"}, {EISDIR, "EISDIR"},
      {EINVAL, "EINVAL"}, {ENFILE, "ENFILE"}, {EMFILE, "EMFILE"}, {ENOTTY, "ENOTTY"}, {ETXTBSY, "ETXTBSY"},
      {EFBIG, "EFBIG"}, {ENOSPC, "ENOSPC"}, {ESPIPE, "ESPIPE"}, {EROFS, "EROFS"}, {EMLINK, "EMLINK"},
      {EPIPE, "EPIPE"}, {EDOM, "EDOM"}, {ERANGE, "ERANGE"}, {EDEADLK, "EDEADLK"},
      {ENAMETOOLONG, "ENAMETOOLONG"}, {ENOLCK, "ENOLCK"}, {ENOSYS, "ENOSYS"}, {ENOTEMPTY, "ENOTEMPTY"},
      {ELOOP, "ELOOP"}, {ENOMSG, "ENOMSG"}, {EIDRM, "EIDRM"}, {ENODATA, "ENODATA"}, {ETIME, "ETIME"},
      {ENOSR, "ENOSR"}, {ENOLINK, "ENOLINK"}, {EPROTO, "EPROTO"}, {EBADMSG, "EBADMSG"},
      {EOVERFLOW, "EOVERFLOW"}, {EILSEQ, "EILSEQ"}, {ENOTSOCK, "ENOTSOCK"},
      {EDESTADDRREQ, "EDESTADDRREQ"}, {EMSGSIZE, "EMSGSIZE"}, {EPROTOTYPE, "EPROTOTYPE"},
      {ENOPROTOOPT, "ENOPROTOOPT"}, {EPROTONOSUPPORT, "EPROTONOSUPPORT"}, {ENOTSUP, "ENOTSUP"},
      {EAFNOSUPPORT, "EAFNOSUPPORT"}, {EADDRINUSE, "EADDRINUSE"}, {EADDRNOTAVAIL, "EADDRNOTAVAIL"},
      {ENETDOWN, "ENETDOWN"}, {ENETUNREACH, "ENETUNREACH"}, {ENETRESET, "ENETRESET"},
      {ECONNABORTED, "ECONNABORTED"}, {ECONNRESET, "ECONNRESET"}, {ENOBUFS, "ENOBUFS"},
      {EISCONN, "EISCONN"}, {ENOTCONN, "ENOTCONN"}, {ETIMEDOUT, "ETIMEDOUT"},
      {ECONNREFUSED, "ECONNREFUSED"}, {EHOSTUNREACH, "EHOSTUNREACH"}, {EALREADY, "EALREADY"},
      {EINPROGRESS, "EINPROGRESS"}, {ESTALE, "ESTALE"}, {EDQUOT, "EDQUOT"}, {ECANCELED, "ECANCELED"},
      {EOWNERDEAD, "EOWNERDEAD"}, {ENOTRECOVERABLE, "ENOTRECOVERABLE"},
  };
  for (const auto& [v, n] : names)
    if (v == value) return n;
  return nullptr;
}

// Asio's own categories (resolver and stream errors).
const char* asio_name(const std::error_category& cat, int value) {
  if (cat == asio::error::get_netdb_category()) {
    switch (value) {
      case asio::error::host_not_found: return "host_not_found";
      case asio::error::host_not_found_try_again: return "host_not_found_try_again";
      case asio::error::no_data: return "no_data";
      case asio::error::no_recovery: return "no_recovery";
    }
  } else if (cat == asio::error::get_addrinfo_category()) {
    switch (value) {
      case asio::error::service_not_found: return "service_not_found";
      case asio::error::socket_type_not_supported: return "socket_type_not_supported";
    }
  } else if (cat == asio::error::get_misc_category()) {
    switch (value) {
      case asio::error::already_open: return "already_open";
      case asio::error::eof: return "eof";
      case asio::error::not_found: return "not_found";
      case asio::error::fd_set_failure: return "fd_set_failure";
    }
  }
  return nullptr;
}

const char* flowtrack_name(int value) {
  switch (static_cast<errc>(value)) {
    case errc::invalid_message: return "invalid_message";
    case errc::invalid_utf8: return "invalid_utf8";
    case errc::invalid_number: return "invalid_number";
    case errc::message_too_large: return "message_too_large";
    case errc::nesting_too_deep: return "nesting_too_deep";
    case errc::queue_full: return "queue_full";
    case errc::closed: return "closed";
    case errc::resolve_failed: return "resolve_failed";
    case errc::resolve_timeout: return "resolve_timeout";
    case errc::connect_failed: return "connect_failed";
    case errc::connect_timeout: return "connect_timeout";
    case errc::tls_handshake_failed: return "tls_handshake_failed";
    case errc::tls_handshake_timeout: return "tls_handshake_timeout";
    case errc::request_timeout: return "request_timeout";
    case errc::connection_closed: return "connection_closed";
    case errc::bad_response: return "bad_response";
    case errc::http_status: return "http_status";
    case errc::retries_exhausted: return "retries_exhausted";
    case errc::deadline_reached: return "deadline_reached";
    case errc::invalid_config: return "invalid_config";
    case errc::spool_io: return "spool_io";
    case errc::spool_full: return "spool_full";
    case errc::spool_locked: return "spool_locked";
    case errc::spool_corrupt: return "spool_corrupt";
    case errc::not_regular_file: return "not_regular_file";
    case errc::file_too_large: return "file_too_large";
    case errc::proxy_auth_required: return "proxy_auth_required";
    case errc::proxy_refused: return "proxy_refused";
    case errc::proxy_invalid: return "proxy_invalid";
  }
  return nullptr;
}

// "<category>:<value name>", never empty: a category without a name is "unknown", a value
// without a name its number, and a zero value (a system_error thrown with an empty code)
// "unknown".
std::string code_class(const std::error_code& ec) {
  const std::error_category& cat = ec.category();
  const char* raw = cat.name();
  std::string category = raw && *raw ? raw : "unknown";
  const char* name = nullptr;
  if (cat == std::generic_category() || cat == std::system_category() || cat == asio::error::get_system_category()) {
    name = errno_name(ec.value());
    if (category == "asio.system") category = "system";  // Asio's twin of the system category
  } else if (cat == flowtrack::error_category()) {
    name = flowtrack_name(ec.value());
  } else {
    name = asio_name(cat, ec.value());
  }
  if (name) return category + ":" + name;
  return category + ":" + (ec.value() == 0 ? std::string("unknown") : std::to_string(ec.value()));
}

// Generic types that only carry a message: informative only when nothing is nested inside.
bool adds_nothing(const std::exception& e) {
  const std::type_info& t = typeid(e);
  return t == typeid(std::exception) || t == typeid(std::runtime_error) || t == typeid(std::logic_error);
}

// The top-level "::"-separated parts of a demangled name (brackets of any kind nest).
std::vector<std::string_view> scope_parts(std::string_view name) {
  std::vector<std::string_view> parts;
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (c == '<' || c == '(' || c == '{' || c == '[') ++depth;
    else if ((c == '>' || c == ')' || c == '}' || c == ']') && depth > 0) --depth;
    else if (depth == 0 && c == ':' && i + 1 < name.size() && name[i + 1] == ':') {
      parts.push_back(name.substr(start, i - start));
      start = i + 2;
      ++i;
    }
  }
  parts.push_back(name.substr(start));
  return parts;
}

// A part that names no stable scope: a function (its parameter list: "run(int)",
// "chains[abi:cxx11]()", "operator()() const") or an unnamed type, whose spelling differs
// between compilers (g++ "{lambda()#1}", "{unnamed type#1}", "._0"; clang "$_13").
bool unstable_part(std::string_view part) {
  if (part == "(anonymous namespace)") return false;  // the same in every build
  if (part.empty() || part.starts_with('{') || part.starts_with('$') || part.starts_with('.') || part.starts_with('('))
    return true;
  int depth = 0;
  for (char c : part) {
    if (c == '<' || c == '[' || c == '{') ++depth;
    else if ((c == '>' || c == ']' || c == '}') && depth > 0) --depth;
    else if (c == '(' && depth == 0) return true;
  }
  return false;
}

// Local and unnamed types: the stable scope around them + "::<local>".
std::string stable_name(std::string name) {
  const auto parts = scope_parts(name);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (!unstable_part(parts[i])) continue;
    std::string out;
    for (std::size_t j = 0; j < i; ++j) {
      out += parts[j];
      out += "::";
    }
    return out + "<local>";
  }
  return name;
}

// std::throw_with_nested(E) throws std::_Nested_exception<E>: name it E.
std::string type_name(const std::exception& e) {
  std::string name = demangle(typeid(e).name());
  constexpr std::string_view wrapper = "std::_Nested_exception<";
  if (name.starts_with(wrapper) && name.ends_with('>')) name = name.substr(wrapper.size(), name.size() - wrapper.size() - 1);
  return stable_name(std::move(name));
}

bool is_generic(const std::exception& e) {
  const std::string name = type_name(e);
  return adds_nothing(e) || name == "std::exception" || name == "std::runtime_error" || name == "std::logic_error";
}

}  // namespace

std::string error_class(const std::error_code& ec) {
  if (!ec) return {};
  return code_class(ec);
}

namespace {

// One level of a chain: its class when informative, and what it wraps.
struct level {
  std::optional<std::string> informative;
  std::exception_ptr next;
};

level inspect(const std::exception& e) {
  level l;
  if (auto* sys = dynamic_cast<const std::system_error*>(&e)) {
    l.informative = code_class(sys->code());
  } else if (!is_generic(e)) {
    l.informative = type_name(e);
  } else if (auto* nested = dynamic_cast<const std::nested_exception*>(&e)) {
    l.next = nested->nested_ptr();
  }
  return l;
}

level inspect(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    return inspect(ex);
  } catch (const std::nested_exception& n) {  // a bare wrapper (not a std::exception): look inside
    return level{std::nullopt, n.nested_ptr()};
  } catch (...) {
    return {};
  }
}

// The first informative class from `first` down the chain, within max_error_chain_depth levels.
std::optional<std::string> informative(level first) {
  level l = std::move(first);
  for (std::size_t depth = 1; !l.informative && l.next && depth < max_error_chain_depth; ++depth) l = inspect(l.next);
  return l.informative;
}

}  // namespace

std::string error_class(const std::exception& e) {
  // Nothing informative anywhere: the outermost level's own (generic) name.
  return informative(inspect(e)).value_or(type_name(e));
}

std::string error_class(const std::exception_ptr& e) {
  if (!e) return {};
  if (auto found = informative(inspect(e))) return *found;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    return type_name(ex);
  } catch (...) {
    return "unknown";
  }
}

}  // namespace flowtrack::cli
