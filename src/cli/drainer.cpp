// The drainer process: delivers a state directory's spool in rounds with the normal client,
// and exits once the spool is empty or its lifetime is over. See flowtrack/cli/handoff.hpp.
//
// A round: a client on the spool directory (it claims and replays what no live client holds),
// closed at once with a deadline of at most round_length: it settles the replayed messages or
// spools them again. Then a census of the spool: events left (a command that handed off
// meanwhile, a round cut by its deadline) start another round, after a pause when the round
// delivered nothing (the endpoint still fails). An empty spool: the lock is released and the
// spool looked at once more (a command that spooled while the lock was still held counted on
// this drainer); still empty, it exits.
#include <fcntl.h>
#include <poll.h>
#include <csignal>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include "cli/detached_process.hpp"
#include "cli/drainer_lock.hpp"
#include "cli/drainer_request.hpp"
#include "flowtrack/cli/handoff.hpp"
#include "flowtrack/client.hpp"
#include "flowtrack/spool_census.hpp"

namespace flowtrack::cli {
namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

constexpr auto round_length = 5s;   // new handoffs wait at most this long for a black-holed round
constexpr auto idle_pause = 1s;     // between rounds that delivered nothing

enum drainer_exit { spool_empty = 0, bad_request = 2, lifetime_over = 3 };

// The request: all of stdin, at most 1 MiB, within 5 s (the parent wrote it before the spawn).
bool read_request(std::string& out) {
  char buf[4096];
  const auto until = clock_type::now() + 5s;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - clock_type::now()).count();
    if (left <= 0) return false;
    pollfd p{STDIN_FILENO, POLLIN, 0};
    const int r = ::poll(&p, 1, static_cast<int>(left));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    const ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) return true;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > (1u << 20)) return false;
  }
}

bool spool_has_events(const std::filesystem::path& spool_dir) {
  return flowtrack::take_spool_census(spool_dir, /*skip_locked=*/true).pending_events > 0;
}

asio::awaitable<int> drain(const detail::drainer_request& req, int& lock_fd) {
  auto ex = co_await asio::this_coro::executor;
  const auto deadline = clock_type::now() + req.lifetime;
  const config cfg = detail::drainer_client_config(req.client);
  asio::steady_timer pause(ex);
  for (;;) {
    const auto now = clock_type::now();
    if (now >= deadline) co_return lifetime_over;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    close_report report;
    {
      client c(ex, cfg);
      report = co_await c.async_close(std::min<std::chrono::milliseconds>(left, round_length));
    }
    if (!spool_has_events(cfg.spool_dir)) {
      // Release, then look once more: a close that spooled while we held the lock left its
      // events to us; one that spools after this look finds the lock free and starts a drainer.
      ::close(lock_fd);
      lock_fd = -1;
      if (!spool_has_events(cfg.spool_dir)) {
        detail::remove_handoff_mark(req.state_dir);
        co_return spool_empty;
      }
      bool taken = false;
      if (detail::try_take_drainer_lock(req.state_dir, lock_fd, taken) || !taken) co_return spool_empty;  // its holder drains
      detail::record_drainer_pid(lock_fd, static_cast<long>(::getpid()));
      continue;
    }
    if (report.delivered == 0 && clock_type::now() < deadline) {
      pause.expires_at(std::min(clock_type::now() + idle_pause, deadline));
      co_await pause.async_wait(asio::use_awaitable);
    }
  }
}

}  // namespace

namespace detail {
namespace {
std::atomic<bool> hook_called{false};
}
bool drainer_hook_called() noexcept { return hook_called.load(std::memory_order_relaxed); }
}  // namespace detail

std::optional<int> run_drainer_if_requested(int argc, char** argv) {
  detail::hook_called.store(true, std::memory_order_relaxed);
  if (argc < 2 || argv[1] == nullptr || std::string_view(argv[1]) != drainer_argument) return std::nullopt;
  std::string text;
  detail::drainer_request req;
  const bool read = read_request(text);
  // stdin is done with: /dev/null from here on (the parent set up stdout and stderr).
  if (int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC); null >= 0) {
    ::dup2(null, STDIN_FILENO);
    ::close(null);
  }
  if (!read || detail::parse_drainer_request(text, req)) return bad_request;
  text.assign(text.size(), '\0');  // the write key lives on in req only
  ::signal(SIGPIPE, SIG_IGN);
  (void)::setpriority(PRIO_PROCESS, 0, 10);
  // A hard bound whatever happens (a hang in a system call): the lifetime plus 2 s.
  ::alarm(static_cast<unsigned>(std::chrono::ceil<std::chrono::seconds>(req.lifetime).count() + 2));

  // The lock: inherited as descriptor 3 from the close that started us, or taken now (started
  // by hand, or by a tool).
  int lock_fd = -1;
  struct stat kept{}, lock_file{};
  if (::fstat(detail::detached_kept_fd, &kept) == 0 && ::lstat(detail::drainer_lock_path(req.state_dir).c_str(), &lock_file) == 0 &&
      S_ISREG(kept.st_mode) && kept.st_dev == lock_file.st_dev && kept.st_ino == lock_file.st_ino) {
    lock_fd = detail::detached_kept_fd;
  } else {
    bool taken = false;
    if (detail::try_take_drainer_lock(req.state_dir, lock_fd, taken) || !taken) return spool_empty;  // another drains
  }
  detail::record_drainer_pid(lock_fd, static_cast<long>(::getpid()));

  int rc = lifetime_over;
  try {
    asio::io_context io;
    asio::co_spawn(io, drain(req, lock_fd), [&](std::exception_ptr e, int r) { rc = e ? lifetime_over : r; });
    io.run();
  } catch (...) {
    rc = lifetime_over;
  }
  if (lock_fd >= 0) ::close(lock_fd);
  return rc;
}

}  // namespace flowtrack::cli
