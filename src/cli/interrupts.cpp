#include "flowtrack/cli/interrupts.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <stdexcept>
#include <system_error>

#include <asio/error.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>

#include "flowtrack/cli/command_runner.hpp"

namespace flowtrack::cli {
namespace {

// Process-wide: a signal handler has no context. Lock-free atomics are async-signal-safe.
std::atomic<std::uint64_t> signal_count{0};
std::atomic<int> latest_signal{0};
std::atomic<int> pipe_write_fd{-1};
std::atomic<bool> watch_exists{false};
static_assert(std::atomic<std::uint64_t>::is_always_lock_free && std::atomic<int>::is_always_lock_free);

extern "C" void on_interrupt(int sig) {
  const int saved_errno = errno;  // the interrupted code may be about to read errno
  latest_signal.store(sig, std::memory_order_relaxed);
  signal_count.fetch_add(1, std::memory_order_release);  // before the wake-up byte: a woken waiter sees it
  const int fd = pipe_write_fd.load(std::memory_order_relaxed);
  if (fd >= 0) {
    const char byte = 1;
    [[maybe_unused]] const auto n = ::write(fd, &byte, 1);  // a full pipe already wakes the reader
  }
  errno = saved_errno;
}

int make_pipe(int fds[2]) {
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) throw std::system_error(errno, std::system_category(), "pipe2");
  return fds[0];
}

}  // namespace

interrupt_watch::interrupt_watch(asio::any_io_executor ex, std::initializer_list<int> signals)
    : readable_(ex), signals_(signals) {
  if (watch_exists.exchange(true)) throw std::logic_error("flowtrack::cli::interrupt_watch: one per process at a time");
  int fds[2] = {-1, -1};
  try {
    readable_.assign(make_pipe(fds));
  } catch (...) {
    if (fds[0] >= 0) ::close(fds[0]);
    if (fds[1] >= 0) ::close(fds[1]);
    watch_exists = false;
    throw;
  }
  pipe_write_fd = fds[1];
  struct ::sigaction action{};
  action.sa_handler = on_interrupt;
  sigfillset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: a blocking read returns EINTR
  for (int sig : signals_) {
    struct ::sigaction previous{};
    if (::sigaction(sig, &action, &previous) != 0) {
      const int error = errno;
      for (std::size_t i = 0; i < saved_.size(); ++i) ::sigaction(signals_[i], &saved_[i], nullptr);
      pipe_write_fd = -1;
      ::close(fds[1]);
      watch_exists = false;
      throw std::system_error(error, std::system_category(), "sigaction");
    }
    saved_.push_back(previous);
  }
}

interrupt_watch::~interrupt_watch() {
  for (std::size_t i = 0; i < saved_.size(); ++i) ::sigaction(signals_[i], &saved_[i], nullptr);
  const int fd = pipe_write_fd.exchange(-1);
  if (fd >= 0) ::close(fd);
  watch_exists = false;
}

std::uint64_t interrupt_watch::requests() const noexcept { return signal_count.load(std::memory_order_acquire); }

int interrupt_watch::last_signal() const noexcept { return latest_signal.load(std::memory_order_relaxed); }

int interrupt_watch::exit_code() const noexcept {
  const int sig = last_signal();
  return sig == 0 ? exit_cancelled : 128 + sig;
}

asio::awaitable<void> interrupt_watch::async_wait_beyond(std::uint64_t seen) {
  while (requests() <= seen) {
    auto [ec] = co_await readable_.async_wait(asio::posix::descriptor_base::wait_read,
                                              asio::experimental::as_tuple(asio::use_awaitable));
    if (ec) throw std::system_error(ec);
    char drain[64];
    while (::read(readable_.native_handle(), drain, sizeof drain) > 0) {
    }
  }
}

}  // namespace flowtrack::cli
