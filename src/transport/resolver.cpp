#include "transport/resolver.hpp"

#include <netdb.h>
#include <sys/socket.h>

#include <mutex>
#include <optional>
#include <thread>

#include <asio/experimental/as_tuple.hpp>
#include <asio/post.hpp>
#include <asio/use_awaitable.hpp>

#include "flowtrack/error.hpp"

namespace flowtrack::detail {

// Shared by the lookup thread and the resolver. The thread posts its result only while the
// resolver still wants it; `abandoned` is set (and the executor let go) under the mutex before
// the resolver goes away, so the executor is alive whenever the thread posts, and the thread
// never holds the last reference to it. What the thread posts holds the mailbox and a weak
// reference to the resolver's timer: nothing of the resolver itself.
struct resolver::mailbox {
  std::mutex mutex;
  bool abandoned = false;
  bool done = false;
  std::optional<asio::any_io_executor> ex;  // the resolver's; reset once it is no longer wanted
  std::error_code ec;
  std::vector<asio::ip::tcp::endpoint> endpoints;

  /// Under `mutex`: the resolver no longer wants the result.
  void abandon_locked() {
    abandoned = true;
    ex.reset();
  }
};

namespace {

void lookup(const std::string& host, std::uint16_t port, std::error_code& ec,
            std::vector<asio::ip::tcp::endpoint>& out) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_ADDRCONFIG;
  addrinfo* list = nullptr;
  const std::string service = std::to_string(port);
  if (::getaddrinfo(host.c_str(), service.c_str(), &hints, &list) != 0 || list == nullptr) {
    ec = errc::resolve_failed;
    return;
  }
  for (addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    asio::ip::tcp::endpoint ep;
    if (ai->ai_addrlen <= ep.capacity()) {
      std::memcpy(ep.data(), ai->ai_addr, ai->ai_addrlen);
      ep.resize(ai->ai_addrlen);
      out.push_back(ep);
    }
  }
  ::freeaddrinfo(list);
  if (out.empty()) ec = errc::resolve_failed;
}

}  // namespace

resolver::resolver(const asio::any_io_executor& ex) : ex_(ex), timer_(std::make_shared<asio::steady_timer>(ex)) {}

resolver::~resolver() { abandon(); }

void resolver::abandon() {
  abandoned_ = true;
  if (current_) {
    std::lock_guard lock(current_->mutex);
    current_->abandon_locked();
  }
  timer_->cancel();
}

asio::awaitable<std::error_code> resolver::resolve(const std::string& host, std::uint16_t port,
                                                   std::chrono::milliseconds timeout,
                                                   std::vector<asio::ip::tcp::endpoint>& out) {
  out.clear();
  std::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (!ec) {
    out.emplace_back(address, port);
    co_return std::error_code{};
  }
  if (abandoned_) co_return asio::error::operation_aborted;

  auto box = std::make_shared<mailbox>();
  box->ex = ex_;
  current_ = box;
  timer_->expires_after(timeout);
  std::thread([box, host, port, wake = std::weak_ptr<asio::steady_timer>(timer_)] {
    std::error_code result;
    std::vector<asio::ip::tcp::endpoint> endpoints;
    lookup(host, port, result, endpoints);
    std::lock_guard lock(box->mutex);
    if (box->abandoned) return;
    box->ec = result;
    box->endpoints = std::move(endpoints);
    // Runs on the resolver's strand; a result the resolver gave up meanwhile is ignored there.
    asio::post(*box->ex, [box, wake] {
      if (box->abandoned) return;
      box->done = true;
      if (auto timer = wake.lock()) timer->cancel();
    });
    box->ex.reset();  // the executor copy goes while the resolver (and its io_context) is alive
  }).detach();

  // The timer is the only thing awaited: it expires (timeout), or the lookup or abandon()
  // cancels it. cancel() is not sticky, so the flags decide, not the wake-up's error code.
  while (!box->done && !abandoned_) {
    auto [wait_ec] = co_await timer_->async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    if (!wait_ec) break;  // expired
  }
  current_.reset();
  {
    std::lock_guard lock(box->mutex);
    if (!box->done) {
      box->abandon_locked();
      co_return abandoned_ ? std::error_code(asio::error::operation_aborted)
                           : std::error_code(errc::resolve_timeout);
    }
  }
  out = std::move(box->endpoints);
  co_return box->ec;
}

}  // namespace flowtrack::detail
