#include "cli/standard_context.hpp"

#include <sys/utsname.h>

#include <string>

namespace flowtrack::cli::detail {

nlohmann::json standard_context(nlohmann::json base, std::string_view app_name, std::string_view app_version) {
  if (!base.is_object()) base = nlohmann::json::object();
  base["app"] = {{"name", std::string(app_name)}, {"version", std::string(app_version)}};
  utsname u{};
  if (::uname(&u) == 0)
    base["os"] = {{"name", std::string(u.sysname)}, {"version", std::string(u.release)}};
  else
    base["os"] = {{"name", "unknown"}, {"version", "unknown"}};
  return base;
}

}  // namespace flowtrack::cli::detail
