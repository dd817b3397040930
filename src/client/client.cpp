// The public facade: forwards to client_impl, hopping onto its strand for async work; the
// non-template halves of the completion-token operations; the blocking forms and the thread a
// client(config) owns.
#include "flowtrack/client.hpp"
#include "flowtrack/version.hpp"

#include <future>
#include <thread>

#include <asio/co_spawn.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/post.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include "client/client_impl.hpp"
#include "common/engine_clock.hpp"

namespace flowtrack {

const char* library_version() noexcept { return FLOWTRACK_VERSION_STRING; }

namespace detail {

// An io_context and the one thread that runs it, for client(config). The thread holds the
// io_context too: detached (the client destroyed on that very thread), it runs it out.
class owned_io_thread {
 public:
  explicit owned_io_thread(std::chrono::milliseconds finish_grace)
      : io_(std::make_shared<asio::io_context>(1)), work_(io_->get_executor()), finish_grace_(finish_grace) {
    std::promise<void> finished;
    finished_ = finished.get_future();
    thread_ = std::thread([io = io_, finished = std::move(finished)]() mutable {
      for (;;) {
        try {
          io->run();
          break;
        } catch (...) {  // a completion handler of the application threw: the client's work goes on
        }
      }
      finished.set_value();
    });
  }
  owned_io_thread(const owned_io_thread&) = delete;
  owned_io_thread& operator=(const owned_io_thread&) = delete;
  ~owned_io_thread() { finish(); }

  asio::io_context& io() noexcept { return *io_; }

  /// Lets the io_context run out of work (within the grace, then stops it) and joins.
  void finish() {
    if (!thread_.joinable()) return;
    work_.reset();
    if (thread_.get_id() == std::this_thread::get_id()) {
      thread_.detach();
      return;
    }
    if (finished_.wait_for(finish_grace_) != std::future_status::ready) io_->stop();
    thread_.join();
  }

 private:
  std::shared_ptr<asio::io_context> io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::chrono::milliseconds finish_grace_;
  std::future<void> finished_;
  std::thread thread_;
};

asio::any_io_executor operation_executor(const std::shared_ptr<client_impl>& impl) { return impl->strand(); }

// Each holds the engine alive (not a raw `this`), whatever happens to the client meanwhile.
asio::awaitable<std::error_code> flush_operation(std::shared_ptr<client_impl> impl, diagnostics* why) {
  co_return co_await impl->flush(why);
}

asio::awaitable<close_report> close_operation(std::shared_ptr<client_impl> impl, std::chrono::milliseconds timeout) {
  co_return co_await impl->close(timeout);
}

namespace {

// The blocking forms' backstop beyond their own timeout, for an executor no thread runs.
constexpr std::chrono::seconds blocking_backstop{1};

// A flush bounded by `timeout` on the engine's clock; `why` is shared with the blocked caller,
// who may have given up (the backstop) before it is written.
asio::awaitable<std::error_code> bounded_flush(std::shared_ptr<client_impl> impl, std::chrono::milliseconds timeout,
                                               std::shared_ptr<diagnostics> why) {
  using namespace asio::experimental::awaitable_operators;
  engine_timer deadline(co_await asio::this_coro::executor, engine_clock::now() + timeout);
  auto first = co_await (impl->flush(why.get()) ||
                         deadline.async_wait(asio::experimental::as_tuple(asio::use_awaitable)));
  if (first.index() == 1) co_return errc::deadline_reached;
  co_return std::get<0>(first);
}

}  // namespace
}  // namespace detail

client::client(asio::any_io_executor ex, config cfg)
    : impl_(std::make_shared<detail::client_impl>(std::move(ex), std::move(cfg))) {
  impl_->start();
}

client::client(asio::io_context& io, config cfg) : client(io.get_executor(), std::move(cfg)) {}

client::client(config cfg) {
  const auto grace = cfg.spool_reserve + std::chrono::milliseconds(100);
  own_thread_ = std::make_unique<detail::owned_io_thread>(grace);
  impl_ = std::make_shared<detail::client_impl>(own_thread_->io().get_executor(), std::move(cfg));
  impl_->start();
}

client::~client() {
  // What is still queued is kept now, on this thread: the executor may never run again. What is
  // in flight belongs to the strand: shutdown_now() aborts it and spools what it left.
  std::size_t kept = 0;
  try {
    kept = impl_->spool_queue_now();
  } catch (...) {  // out of memory: shutdown_now() tries again
  }
  asio::post(impl_->strand(), [impl = impl_, kept] { impl->shutdown_now(kept); });
  if (own_thread_) own_thread_->finish();
}

std::error_code client::track(const track_message& m) { return impl_->enqueue(m); }
std::error_code client::identify(const identify_message& m) { return impl_->enqueue(m); }
std::error_code client::page(const page_message& m) { return impl_->enqueue(m); }
std::error_code client::screen(const screen_message& m) { return impl_->enqueue(m); }
std::error_code client::group(const group_message& m) { return impl_->enqueue(m); }
std::error_code client::alias(const alias_message& m) { return impl_->enqueue(m); }

asio::awaitable<close_report> client::close_awaitable(std::chrono::milliseconds timeout) {
  auto impl = impl_;
  // Terminal and partial cancellation of the caller pass on to the close (total is filtered:
  // a close cannot be undone without effect).
  co_await asio::this_coro::reset_cancellation_state(asio::enable_partial_cancellation());
  co_await asio::this_coro::throw_if_cancelled(false);
  co_return co_await asio::co_spawn(detail::operation_executor(impl), detail::close_operation(impl, timeout),
                                    asio::use_awaitable);
}

std::error_code client::flush(std::chrono::milliseconds timeout) {
  diagnostics ignored;
  return flush(timeout, ignored);
}

std::error_code client::flush(std::chrono::milliseconds timeout, diagnostics& why) {
  if (on_client_thread()) return std::make_error_code(std::errc::resource_deadlock_would_occur);
  auto done = std::make_shared<std::promise<std::error_code>>();
  auto result = done->get_future();
  auto shared_why = std::make_shared<diagnostics>();
  asio::co_spawn(impl_->strand(), detail::bounded_flush(impl_, timeout, shared_why),
                 [done](std::exception_ptr e, std::error_code ec) {
                   if (e) done->set_exception(e);
                   else done->set_value(ec);
                 });
  if (result.wait_for(timeout + detail::blocking_backstop) != std::future_status::ready) return errc::deadline_reached;
  std::error_code ec;
  try {
    ec = result.get();
  } catch (const std::future_error&) {  // the executor was destroyed with the flush on it
    return errc::closed;
  }
  why = *shared_why;
  return ec;
}

close_report client::close(std::chrono::milliseconds timeout) {
  if (on_client_thread()) {
    throw std::system_error(std::make_error_code(std::errc::resource_deadlock_would_occur),
                            "flowtrack::client::close() on a thread that runs the client");
  }
  auto done = std::make_shared<std::promise<close_report>>();
  auto result = done->get_future();
  asio::co_spawn(impl_->strand(), detail::close_operation(impl_, timeout), [done](std::exception_ptr e, close_report r) {
    if (e) done->set_exception(e);
    else done->set_value(r);
  });
  if (result.wait_for(timeout + detail::blocking_backstop) == std::future_status::ready) {
    try {
      return result.get();
    } catch (const std::future_error&) {  // the executor was destroyed with the close on it
    }
  }
  close_report unfinished;
  unfinished.deadline_reached = true;
  unfinished.pending = statistics().pending;
  return unfinished;
}

bool client::on_client_thread() const {
  const auto& inner = impl_->strand().get_inner_executor();
  const auto* io_executor = inner.target<asio::io_context::executor_type>();
  return impl_->strand().running_in_this_thread() || (io_executor && io_executor->running_in_this_thread());
}

bool client::wait_for_capacity(std::chrono::milliseconds timeout) {
  // On a thread that runs the client's executor, waiting would hold up the very work that
  // makes room.
  if (on_client_thread()) return false;
  return impl_->wait_for_room(timeout);
}

stats client::statistics() const noexcept { return impl_->snapshot(); }

asio::any_io_executor client::get_executor() const noexcept { return impl_->strand().get_inner_executor(); }

}  // namespace flowtrack
