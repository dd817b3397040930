#include "cli/handoff_close.hpp"

#include <unistd.h>

#include <ostream>

#include "cli/detached_process.hpp"
#include "cli/drainer_lock.hpp"
#include "cli/drainer_request.hpp"
#include "cli/handoff_policy.hpp"

namespace flowtrack::cli::detail {
namespace {

// Starts a drainer with the lock `fd` (kept by the child; closed here). pid 0: not started.
long start_drainer(const handoff_context& ctx, int fd, std::error_code& ec) {
  drainer_request req{.client = ctx.client, .state_dir = ctx.state_dir, .lifetime = ctx.options.drainer_lifetime};
  req.client.logger = nullptr;
  req.client.on_delivery = nullptr;
  const auto program = ctx.options.drainer_program.empty() ? own_executable() : ctx.options.drainer_program;
  long pid = 0;
  ec = program.empty() ? std::make_error_code(std::errc::no_such_file_or_directory)
                       : spawn_detached(program, {std::string(drainer_argument)}, serialize(req), fd, pid);
  if (!ec) record_drainer_pid(fd, pid);
  ::close(fd);
  return ec ? 0 : pid;
}

}  // namespace

asio::awaitable<close_report> close_with_handoff(event_sink& sink, const handoff_context& ctx,
                                                 std::chrono::milliseconds timeout, handoff_outcome& outcome) {
  const auto probe = probe_drainer(ctx.state_dir);
  const close_plan plan = plan_close({.handoff_enabled = ctx.options.enabled,
                                      .has_state_dir = !ctx.state_dir.empty() && !ctx.client.spool_dir.empty(),
                                      .has_drainer = !ctx.options.drainer_program.empty() || drainer_hook_called(),
                                      .drainer_running = probe.running,
                                      .handoff_unconfirmed = !ctx.state_dir.empty() && handoff_mark_present(ctx.state_dir),
                                      .grace = ctx.options.grace,
                                      .timeout = timeout});
  close_report report = co_await sink.close(plan.close_for);
  const handoff_decision d = decide_handoff(plan, report.spooled, report.pending);
  outcome = d.outcome;
  long pid = 0;
  std::error_code spawn_ec;
  if (d.step == handoff_step::start_drainer) {
    write_handoff_mark(ctx.state_dir);  // before the drainer exists: it removes the mark when done
    int fd = -1;
    bool taken = false;
    const auto lock_ec = try_take_drainer_lock(ctx.state_dir, fd, taken);
    if (lock_ec) spawn_ec = lock_ec;
    else if (taken) pid = start_drainer(ctx, fd, spawn_ec);
    outcome = lock_ec ? handoff_outcome::spawn_failed : outcome_of_start(taken, pid != 0);
    if (outcome == handoff_outcome::spawn_failed) remove_handoff_mark(ctx.state_dir);
  }
  if (ctx.debug) {
    std::ostream& out = *ctx.debug;
    out << ctx.app_name << ": telemetry: close: " << report.delivered << " delivered, " << report.spooled << " spooled in "
        << report.elapsed.count() << " of " << plan.close_for.count() << " ms (" << plan.why
        << "); handoff: " << to_string(outcome);
    if (pid != 0) out << " (pid " << pid << ")";
    if (d.step == handoff_step::start_drainer && report.last_failure) out << "; why: " << report.last_failure.message();
    if (spawn_ec) out << "; " << spawn_ec.message();
    out << '\n';
  }
  co_return report;
}

}  // namespace flowtrack::cli::detail
