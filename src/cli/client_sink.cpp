// The event sink over the flowtrack client, through its public API only. The client is created by the first event, not before:
// a command that sends nothing (--help, a usage error, a refused pre-run check) opens no
// connection, replays no spool and closes at once, even with a backlog pending behind an
// unresponsive endpoint.
#include <mutex>
#include <optional>

#include "flowtrack/cli/event_sink.hpp"
#include "flowtrack/client.hpp"
#include "flowtrack/config.hpp"
#include "flowtrack/error.hpp"

namespace flowtrack::cli {
namespace {

class client_sink final : public event_sink {
 public:
  client_sink(asio::any_io_executor ex, config cfg) : ex_(std::move(ex)), cfg_(std::move(cfg)) {
    validate_config(cfg_);  // a bad setting is an error now, not at the first event
  }

  std::error_code send(const track_message& m) override {
    client* c = started();
    return c ? c->track(m) : std::error_code(errc::invalid_config);
  }
  asio::awaitable<std::error_code> flush() override {
    client* c = created();
    if (!c) co_return std::error_code{};  // nothing was sent: nothing to deliver
    co_return co_await c->async_flush();
  }
  asio::awaitable<close_report> close(std::chrono::milliseconds timeout) override {
    client* c = created();
    if (!c) co_return close_report{};  // nothing was sent: nothing opened, nothing to wait for
    co_return co_await c->async_close(timeout);
  }

 private:
  // The client, created on first use (any thread). Null if it could not be (its TLS CA files).
  client* started() {
    std::lock_guard lock(mutex_);
    if (!client_ && !failed_) {
      try {
        client_.emplace(ex_, cfg_);
      } catch (const std::exception&) {
        failed_ = true;
      }
    }
    return client_ ? &*client_ : nullptr;
  }
  client* created() {
    std::lock_guard lock(mutex_);
    return client_ ? &*client_ : nullptr;
  }

  asio::any_io_executor ex_;
  config cfg_;
  std::mutex mutex_;
  std::optional<client> client_;
  bool failed_ = false;
};

}  // namespace

std::unique_ptr<event_sink> make_client_sink(asio::any_io_executor ex, config cfg) {
  return std::make_unique<client_sink>(std::move(ex), std::move(cfg));
}

}  // namespace flowtrack::cli
