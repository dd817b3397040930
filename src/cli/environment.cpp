#include "flowtrack/cli/environment.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>

namespace flowtrack::cli {

env_lookup process_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

env_lookup fixed_environment(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::string env_prefix(std::string_view app_name) {
  std::string out;
  for (char c : app_name)
    out.push_back(std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
                                                               : '_');
  return out;
}

bool env_flag(const env_lookup& env, std::string_view name) {
  auto v = env(name);
  if (!v || v->empty()) return false;
  std::string lower = *v;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return lower != "0" && lower != "false";
}

std::filesystem::path telemetry_state_dir(std::string_view app_name, const env_lookup& env) {
  if (auto dir = env(env_prefix(app_name) + "_STATE_DIR"); dir && !dir->empty()) return *dir;
  if (auto xdg = env("XDG_STATE_HOME"); xdg && !xdg->empty())
    return std::filesystem::path(*xdg) / app_name / "telemetry";
  if (auto home = env("HOME"); home && !home->empty())
    return std::filesystem::path(*home) / ".local" / "state" / app_name / "telemetry";
  return {};
}

bool running_in_ci(const env_lookup& env) {
  static constexpr std::array<std::string_view, 11> markers = {
      "CI",      "GITHUB_ACTIONS", "GITLAB_CI", "BUILDKITE",         "CIRCLECI",          "JENKINS_URL",
      "TF_BUILD", "TEAMCITY_VERSION", "TRAVIS", "BITBUCKET_BUILD_NUMBER", "CODEBUILD_BUILD_ID"};
  return std::any_of(markers.begin(), markers.end(), [&](std::string_view m) { return env_flag(env, m); });
}

bool telemetry_opted_out_by_env(const env_lookup& env, std::string_view prefix) {
  return env_flag(env, "DO_NOT_TRACK") || env_flag(env, std::string(prefix) + "_TELEMETRY_DISABLED");
}

}  // namespace flowtrack::cli
