#include "flowtrack/cli/line_input.hpp"

#include <unistd.h>

#include <cerrno>
#include <system_error>

#include <asio/experimental/as_tuple.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

namespace flowtrack::cli {

struct line_input::impl {
  impl(const asio::any_io_executor& ex, int fd) : fd_(fd), watch_(ex) {
    // A duplicate, so closing the watcher never closes the caller's descriptor. Only waits are
    // started on it (no async reads): Asio leaves the descriptor blocking.
    const int copy = ::dup(fd);
    if (copy >= 0) {
      std::error_code ec;
      watch_.assign(copy, ec);
      if (ec) ::close(copy);
    }
  }

  // Moves one line out of the buffer, if a whole one is there (or the input ended).
  std::optional<std::string> take_line() {
    const auto nl = buffer_.find('\n');
    if (nl == std::string::npos && !(eof_ && !buffer_.empty())) return std::nullopt;
    std::string line = buffer_.substr(0, nl);
    buffer_.erase(0, nl == std::string::npos ? buffer_.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }

  // One read(2) on a descriptor that is readable (or that never blocks).
  void read_some() {
    char chunk[4096];
    for (;;) {
      const ssize_t n = ::read(fd_, chunk, sizeof chunk);
      if (n > 0) {
        buffer_.append(chunk, static_cast<std::size_t>(n));
        return;
      }
      if (n == 0) {
        eof_ = true;
        return;
      }
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return;  // readiness was spurious: wait again
      throw std::system_error(errno, std::system_category(), "read");
    }
  }

  int fd_;
  asio::posix::stream_descriptor watch_;
  std::string buffer_;
  bool eof_ = false;
};

line_input::line_input(const asio::any_io_executor& ex, int fd) : impl_(std::make_unique<impl>(ex, fd)) {}
line_input::~line_input() = default;

asio::awaitable<std::optional<std::string>> line_input::read_line() {
  impl& s = *impl_;
  for (;;) {
    if (auto line = s.take_line()) co_return line;
    if (s.eof_) co_return std::nullopt;
    if (s.watch_.is_open()) {
      auto [ec] = co_await s.watch_.async_wait(asio::posix::stream_descriptor::wait_read,
                                               asio::experimental::as_tuple(asio::use_awaitable));
      if (ec == asio::error::operation_aborted) throw std::system_error(ec);
      // Not pollable (a regular file, /dev/null: operation_not_supported): read directly, it
      // never blocks. Any other error shows again in read(2).
      if (ec && ec != asio::error::operation_not_supported) s.watch_.close();
    }
    // The cancellation may have come while the wait completed: honour it before reading.
    if ((co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none)
      throw std::system_error(asio::error::operation_aborted);
    s.read_some();
  }
}

}  // namespace flowtrack::cli
