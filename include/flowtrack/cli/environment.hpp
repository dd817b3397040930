// How CLI telemetry reads its surroundings: environment variables (injectable, so tests never
// touch the process environment), the state directory, opt-out, CI detection.
// All functions are synchronous and pure given `env`; thread-safe as long as `env` is (the
// process environment is, while nobody calls setenv).
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace flowtrack::cli {

/// Looks up an environment variable; nullopt when unset. An empty env_lookup given to
/// make_telemetry / read_status reads as "nothing set".
using env_lookup = std::function<std::optional<std::string>(std::string_view)>;

/// The real process environment.
env_lookup process_environment();
/// A fixed set of variables (for tests).
env_lookup fixed_environment(std::map<std::string, std::string> vars);

/// "my-cli" -> "MY_CLI": the prefix of an app's variables (MY_CLI_TELEMETRY_DISABLED...).
std::string env_prefix(std::string_view app_name);

/// A variable that turns something on: set, non-empty, and not "0" or "false" (any case).
bool env_flag(const env_lookup& env, std::string_view name);

/// `<APP>_STATE_DIR` if set, else `$XDG_STATE_HOME/<app>/telemetry`, else
/// `$HOME/.local/state/<app>/telemetry`. Empty when none of them can be determined.
std::filesystem::path telemetry_state_dir(std::string_view app_name, const env_lookup& env);

/// Running under CI (CI, GITHUB_ACTIONS, GITLAB_CI, BUILDKITE, CIRCLECI, JENKINS_URL, TF_BUILD,
/// TEAMCITY_VERSION, TRAVIS, BITBUCKET_BUILD_NUMBER, CODEBUILD_BUILD_ID).
bool running_in_ci(const env_lookup& env);

/// The user opted out of telemetry through the environment: DO_NOT_TRACK or
/// `<prefix>_TELEMETRY_DISABLED` (env_flag). Everything a CLI's telemetry layer requests (the
/// events, an update check on the telemetry host) stops when this is true.
bool telemetry_opted_out_by_env(const env_lookup& env, std::string_view prefix);

}  // namespace flowtrack::cli
