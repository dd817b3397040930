#include "flowtrack/cli/error_class.hpp"

#include <cxxabi.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <typeinfo>
#include <utility>

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
const char* errno_name(int value) {
  static constexpr std::array<std::pair<int, const char*>, 40> names = {{
      {EPERM, "EPERM"},         {ENOENT, "ENOENT"},         {EINTR, "EINTR"},           {EIO, "EIO"},
      {ENXIO, "ENXIO"},         {E2BIG, "E2BIG"},           {EBADF, "EBADF"},           {EAGAIN, "EAGAIN"},
      {ENOMEM, "ENOMEM"},       {EACCES, "EACCES"},         {EFAULT, "EFAULT"},         {EBUSY, "EBUSY"},
      {EEXIST, "EEXIST"},       {EXDEV, "EXDEV"},           {ENOTDIR, "ENOTDIR"},       {EISDIR, "EISDIR"},
      {EINVAL, "EINVAL"},       {EMFILE, "EMFILE"},         {ENOSPC, "ENOSPC"},         {EROFS, "EROFS"},
      {EPIPE, "EPIPE"},         {ERANGE, "ERANGE"},         {ENAMETOOLONG, "ENAMETOOLONG"}, {ENOSYS, "ENOSYS"},
      {ENOTEMPTY, "ENOTEMPTY"}, {ELOOP, "ELOOP"},           {ENOTSUP, "ENOTSUP"},       {EADDRINUSE, "EADDRINUSE"},
      {EADDRNOTAVAIL, "EADDRNOTAVAIL"}, {ENETDOWN, "ENETDOWN"}, {ENETUNREACH, "ENETUNREACH"},
      {ECONNABORTED, "ECONNABORTED"}, {ECONNRESET, "ECONNRESET"}, {ENOTCONN, "ENOTCONN"},
      {ETIMEDOUT, "ETIMEDOUT"}, {ECONNREFUSED, "ECONNREFUSED"}, {EHOSTUNREACH, "EHOSTUNREACH"},
      {EALREADY, "EALREADY"},   {EINPROGRESS, "EINPROGRESS"}, {ECANCELED, "ECANCELED"},
  }};
  for (const auto& [v, n] : names)
    if (v == value) return n;
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
  }
  return nullptr;
}

// Generic types that only carry a message: informative only when nothing is nested inside.
bool adds_nothing(const std::exception& e) {
  const std::type_info& t = typeid(e);
  return t == typeid(std::exception) || t == typeid(std::runtime_error) || t == typeid(std::logic_error);
}

// std::throw_with_nested(E) throws std::_Nested_exception<E>: name it E.
std::string type_name(const std::exception& e) {
  std::string name = demangle(typeid(e).name());
  constexpr std::string_view wrapper = "std::_Nested_exception<";
  if (name.starts_with(wrapper) && name.ends_with('>')) name = name.substr(wrapper.size(), name.size() - wrapper.size() - 1);
  return name;
}

bool is_generic(const std::exception& e) {
  const std::string name = type_name(e);
  return adds_nothing(e) || name == "std::exception" || name == "std::runtime_error" || name == "std::logic_error";
}

}  // namespace

std::string error_class(const std::error_code& ec) {
  if (!ec) return {};
  const std::error_category& cat = ec.category();
  const char* name = nullptr;
  std::string category = cat.name();
  if (cat == std::generic_category() || cat == std::system_category() || cat == asio::error::get_system_category()) {
    name = errno_name(ec.value());
    if (category == "asio.system") category = "system";  // Asio's twin of the system category
  }
  else if (cat == flowtrack::error_category()) name = flowtrack_name(ec.value());
  return category + ":" + (name ? name : std::to_string(ec.value()));
}

std::string error_class(const std::exception& e) {
  // Walk outermost first; take the first level that says more than "an error happened".
  std::string fallback;
  const std::exception* level = &e;
  std::exception_ptr keep_alive;
  for (int depth = 0; level && depth < 32; ++depth) {
    if (auto* sys = dynamic_cast<const std::system_error*>(level)) return error_class(sys->code());
    if (!is_generic(*level)) return type_name(*level);
    if (fallback.empty()) fallback = type_name(*level);
    auto* nested = dynamic_cast<const std::nested_exception*>(level);
    if (!nested || !nested->nested_ptr()) break;
    keep_alive = nested->nested_ptr();
    level = nullptr;
    try {
      std::rethrow_exception(keep_alive);
    } catch (const std::exception& inner) {
      level = &inner;
      // `inner` lives in keep_alive's exception object, which outlives this catch block.
    } catch (...) {
      return fallback;
    }
  }
  return fallback;
}

std::string error_class(const std::exception_ptr& e) {
  if (!e) return {};
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    return error_class(ex);
  } catch (...) {
    return "unknown";
  }
}

}  // namespace flowtrack::cli
