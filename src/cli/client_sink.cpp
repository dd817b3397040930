// The event sink over the flowtrack client (its own file: the only one of this layer that needs
// the client's implementation to link).
#include "flowtrack/cli/event_sink.hpp"
#include "flowtrack/client.hpp"

namespace flowtrack::cli {
namespace {

class client_sink final : public event_sink {
 public:
  client_sink(asio::any_io_executor ex, config cfg) : client_(std::move(ex), std::move(cfg)) {}
  std::error_code send(const track_message& m) override { return client_.track(m); }
  asio::awaitable<std::error_code> flush() override { co_return co_await client_.async_flush(); }
  asio::awaitable<close_report> close(std::chrono::milliseconds timeout) override {
    co_return co_await client_.async_close(timeout);
  }

 private:
  client client_;
};

}  // namespace

std::unique_ptr<event_sink> make_client_sink(asio::any_io_executor ex, config cfg) {
  return std::make_unique<client_sink>(std::move(ex), std::move(cfg));
}

}  // namespace flowtrack::cli
