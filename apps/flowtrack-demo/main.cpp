// flowtrack-demo: a small but real CLI using flowtrack's CLI telemetry exactly as a product
// team would. See the README ("The demo CLI").
//
// Exit codes: 0 success, 1 command failed (or refused by the auth check), 2 usage error,
// 130 cancelled (Ctrl-C).
#include <unistd.h>

#include <csignal>
#include <iostream>

#include <CLI/CLI.hpp>
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <flowtrack/cli/command_runner.hpp>
#include <flowtrack/cli/handoff.hpp>
#include <flowtrack/cli/line_input.hpp>
#include <flowtrack/cli/telemetry.hpp>
#include <flowtrack/client.hpp>

#include "commands.hpp"
#include "demo_state.hpp"
#include "telemetry_command.hpp"
#include "update_check.hpp"

namespace cli = flowtrack::cli;

namespace {

std::chrono::milliseconds env_ms(const cli::env_lookup& env, const char* name, int fallback) {
  if (auto v = env(name)) {
    try {
      return std::chrono::milliseconds(std::stoi(*v));
    } catch (...) {
    }
  }
  return std::chrono::milliseconds(fallback);
}

// The one line that tells the user why the command failed (its telemetry carries only the
// class). Cancellation and a command's own non-zero exit code print nothing more: the command
// said what it had to.
void report_failure(const cli::command_result& r) {
  if (r.succeeded() || r.user_cancelled || !r.error) return;
  std::cerr << "flowtrack-demo: " << (r.message.empty() ? "command failed (" + r.error_class + ")" : r.message) << '\n';
}

}  // namespace

// NOLINTNEXTLINE(bugprone-exception-escape): errors are handled where they occur; a bug may terminate
int main(int argc, char** argv) {
  // First: this program is also its own telemetry drainer (started detached by a close that
  // hands off what a bad network left undelivered).
  if (auto rc = cli::run_drainer_if_requested(argc, argv)) return *rc;
  const std::string version = flowtrack::library_version();
  const auto env = cli::process_environment();
  const demo::demo_state state(env);

  CLI::App app{"flowtrack-demo: a small CLI that shows flowtrack's telemetry"};
  app.set_version_flag("--version", "flowtrack-demo " + version);
  app.require_subcommand(1);
  std::string user, deploy_name, fail_at, telemetry_action = "status";
  bool status_json = false;
  int step_ms = 150;
  auto* login = app.add_subcommand("login", "log in (stores credentials in the state directory)");
  login->add_option("--user", user, "user name")->required();
  auto* logout = app.add_subcommand("logout", "forget the credentials");
  auto* whoami = app.add_subcommand("whoami", "show who is logged in (needs login)");
  auto* deploy = app.add_subcommand("deploy", "deploy an app: validate, build, upload, release (needs login)");
  deploy->add_option("name", deploy_name, "what to deploy")->required();
  deploy->add_option("--fail-at", fail_at, "make this step fail")
      ->check(CLI::IsMember({"validate", "build", "upload", "release"}));
  deploy->add_option("--step-ms", step_ms, "time each step takes")->check(CLI::Range(0, 600000));
  auto* wizard = app.add_subcommand("wizard", "create a project interactively (answers from stdin; 'back' goes back)");
  auto* telemetry = app.add_subcommand("telemetry", "show or change telemetry: status | enable | disable");
  telemetry->add_option("action", telemetry_action, "status, enable or disable")
      ->check(CLI::IsMember({"status", "enable", "disable"}));
  telemetry->add_flag("--json", status_json, "status as one JSON object (for scripts)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }

  cli::telemetry_options options;
  options.app = {"flowtrack-demo", version};
  options.env_prefix = "FLOWTRACK";
  options.state_dir = state.telemetry_dir();
  options.env = env;
  options.docs = "docs/CLI-TELEMETRY.md";  // in the flowtrack sources
  // FLOWTRACK_WRITE_AHEAD=1: every event is on disk before track() returns, so even kill -9
  // loses nothing (the next run sends it); the cost is one write() per event.
  if (auto w = env("FLOWTRACK_WRITE_AHEAD"); w && *w == "1") options.client.write_ahead = true;
  if (telemetry->parsed()) return demo::telemetry_command(telemetry_action, status_json, options, state);

  // Pre-run: commands that need a login refuse before anything is sent.
  if ((deploy->parsed() || whoami->parsed()) && !state.logged_in_user()) {
    std::cerr << "flowtrack-demo: not logged in; run `flowtrack-demo login --user NAME`\n";
    return 1;
  }

  // The library's first-run notice (on stderr; this run then sends nothing and leaves no spool).
  asio::io_context io;
  auto t = cli::make_telemetry(io.get_executor(), options);
  CLI::App* command = app.get_subcommands().front();
  cli::command_invocation invocation{command->get_name(), {}};
  for (const auto* option : command->get_options())
    if (option->count() > 0 && !option->get_lnames().empty()) invocation.flag_names.push_back("--" + option->get_lnames().front());

  auto body = [&]() -> asio::awaitable<int> {
    if (login->parsed()) {
      if (!state.login(user)) throw std::system_error(std::make_error_code(std::errc::permission_denied));
      std::cout << "logged in as " << user << std::endl;
      co_return 0;
    }
    if (logout->parsed()) {
      std::cout << (state.logout() ? "logged out" : "was not logged in") << std::endl;
      co_return 0;
    }
    if (whoami->parsed()) {
      std::cout << *state.logged_in_user() << std::endl;
      co_return 0;
    }
    if (deploy->parsed()) {
      std::optional<std::string> failing;
      if (!fail_at.empty()) failing = fail_at;
      co_return co_await demo::deploy(*t, deploy_name, failing, std::chrono::milliseconds(step_ms));
    }
    if (wizard->parsed()) {
      const auto ex = co_await asio::this_coro::executor;
      cli::line_input answers(ex, STDIN_FILENO);  // Ctrl-C cancels its reads
      co_return co_await demo::wizard(*t, answers);
    }
    co_return 2;
  };

  // Ctrl-C cancels the command. Registered before it starts: a signal that arrives before the
  // wait begins is kept by the signal_set, never lost to the default handler.
  asio::signal_set sigint(io, SIGINT);
  cli::runner_options runner;
  runner.cancellation = cli::cancel_on_signal(sigint);
  const std::string url = demo::update_check_url(env, t->state());
  runner.after = [&](int exit_code) -> asio::awaitable<void> {
    if (exit_code != 0 || url.empty()) co_return;
    if (auto newer = co_await demo::check_for_update(url, version, env_ms(env, "FLOWTRACK_UPDATE_TIMEOUT_MS", 500)))
      std::cerr << "flowtrack-demo " << *newer << " is available (you have " << version << ")\n";
  };
  runner.closed = [&](const flowtrack::close_report& r) {
    if (t->state() == cli::telemetry_state::enabled) state.save_last_delivery(r);
  };

  int exit_code = 1;
  asio::co_spawn(io, cli::execute_command(*t, invocation, body, runner),
                 [&](std::exception_ptr e, const cli::command_result& r) {
                   exit_code = e ? 1 : r.exit_code;
                   if (!e) report_failure(r);
                   sigint.cancel();  // nothing is left to cancel: let io.run() return
                 });
  io.run();
  return exit_code;
}
