#include "commands.hpp"

#include <iostream>

#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <flowtrack/cli/error_class.hpp>
#include <flowtrack/cli/flow_tracker.hpp>

namespace demo {

namespace cli = flowtrack::cli;

asio::awaitable<int> deploy(cli::telemetry& t, std::string name, std::optional<std::string> fail_at,
                            std::chrono::milliseconds step_time) {
  cli::flow_tracker flow{t, deploy_flow};
  asio::steady_timer work(co_await asio::this_coro::executor);
  try {
    for (const auto& s : deploy_steps) {
      flow.enter(s);
      std::cout << s.name << ": " << name << "..." << std::endl;
      work.expires_after(step_time);
      co_await work.async_wait(asio::use_awaitable);  // cancelled by Ctrl-C
      if (fail_at && *fail_at == s.name) throw deploy_error(s.name, "simulated failure of " + name + " (--fail-at)");
    }
  } catch (const std::system_error& e) {
    flow.finish(e.code() == asio::error::operation_aborted ? cli::flow_outcome::cancelled : cli::flow_outcome::failed,
                cli::error_class(e));
    throw;
  } catch (const std::exception& e) {
    flow.finish(cli::flow_outcome::failed, cli::error_class(e));
    throw;
  }
  flow.finish(cli::flow_outcome::completed);
  std::cout << "deployed " << name << std::endl;
  co_return 0;
}

asio::awaitable<int> wizard(cli::telemetry& t, cli::line_input& in) {
  cli::flow_tracker flow{t, wizard_flow};
  std::size_t at = 0;
  std::string answers[std::size(wizard_steps)];
  flow.enter(wizard_steps[0]);
  for (;;) {
    const auto& s = wizard_steps[at];
    std::cout << s.name << (s.name == std::string_view("confirm") ? " (yes/back/quit)" : "") << "> " << std::flush;
    std::optional<std::string> line;
    try {
      line = co_await in.read_line();
    } catch (const std::system_error& e) {
      // Ctrl-C while waiting for the answer (operation_aborted), or a read error.
      const bool cancelled = e.code() == asio::error::operation_aborted;
      flow.finish(cancelled ? cli::flow_outcome::cancelled : cli::flow_outcome::failed, cli::error_class(e));
      std::cout << (cancelled ? "\nwizard cancelled" : "\nwizard failed") << std::endl;
      throw;
    }
    if (!line || *line == "quit") {
      flow.finish(cli::flow_outcome::cancelled);
      std::cout << "\nwizard cancelled" << std::endl;
      throw std::system_error(std::make_error_code(std::errc::operation_canceled));
    }
    if (*line == "back") {
      if (at > 0) --at;
      flow.enter(wizard_steps[at]);
      continue;
    }
    if (s.name == std::string_view("confirm")) {
      if (*line != "yes") continue;
      flow.finish(cli::flow_outcome::completed);
      std::cout << "created " << answers[0] << " in " << answers[1] << std::endl;
      co_return 0;
    }
    answers[at] = *line;
    ++at;
    flow.enter(wizard_steps[at]);
  }
}

}  // namespace demo
