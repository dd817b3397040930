// flowtrack-cli-example: the smallest CLI with flow-events telemetry.
//
//   FLOWTRACK_CLI_EXAMPLE_WRITE_KEY=KEY FLOWTRACK_CLI_EXAMPLE_ENDPOINT=http://127.0.0.1:8080 \
//     flowtrack-cli-example greet --name Ada
#include <iostream>

#include <CLI/CLI.hpp>
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <flowtrack/cli/command_runner.hpp>
#include <flowtrack/cli/handoff.hpp>
#include <flowtrack/cli/telemetry.hpp>

// NOLINTNEXTLINE(bugprone-exception-escape): errors are handled where they occur; a bug may terminate
int main(int argc, char** argv) {
  // First of all: this program is also its own telemetry drainer (handoff.hpp). Without this
  // line there is no handoff, and a bad network makes the exit wait up to the close deadline.
  if (auto rc = flowtrack::cli::run_drainer_if_requested(argc, argv)) return *rc;
  CLI::App app{"Greets people, with telemetry."};
  std::string name = "world";
  auto* greet = app.add_subcommand("greet", "print a greeting");
  greet->add_option("--name", name, "who to greet");
  app.require_subcommand(1);
  CLI11_PARSE(app, argc, argv);  // --help, --version and bad flags exit here: no telemetry sent

  asio::io_context io;
  auto telemetry = flowtrack::cli::make_telemetry(io.get_executor(), {.app = {"flowtrack-cli-example", "1.0.0"}});

  flowtrack::cli::command_invocation invocation{"greet", {}};
  for (const auto* option : greet->get_options())
    if (option->count() > 0) invocation.flag_names.push_back(option->get_name());  // names, never values

  int exit_code = 0;
  asio::co_spawn(io,
                 flowtrack::cli::execute_command(*telemetry, invocation,
                                                 [&]() -> asio::awaitable<int> {
                                                   std::cout << "hello, " << name << '\n';
                                                   co_return 0;
                                                 }),
                 [&](std::exception_ptr e, const flowtrack::cli::command_result& r) {
                   exit_code = e ? 1 : r.exit_code;
                   // The failure reason is the user's, on stderr; telemetry only got its class.
                   if (!e && !r.message.empty()) std::cerr << "greet failed: " << r.message << '\n';
                 });
  io.run();  // returns by the close deadline (3 s, or FLOWTRACK_CLI_EXAMPLE_CLOSE_TIMEOUT_MS)
  return exit_code;
}
