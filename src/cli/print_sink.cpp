// The debug sink (<APP>_TELEMETRY_DEBUG): each event as one JSON line, nothing sent.
#include <mutex>
#include <ostream>

#include "flowtrack/cli/event_sink.hpp"
#include "flowtrack/message_json.hpp"

namespace flowtrack::cli {
namespace {

class print_sink final : public event_sink {
 public:
  explicit print_sink(std::ostream& out) : out_(out) {}
  std::error_code send(const track_message& m) override {
    std::string json;
    if (auto ec = to_json(m, json)) return ec;
    std::lock_guard lock(mutex_);
    out_ << json << '\n';
    out_.flush();
    ++printed_;
    return {};
  }
  asio::awaitable<close_report> close(std::chrono::milliseconds) override {
    close_report r;
    std::lock_guard lock(mutex_);
    r.delivered = printed_;
    co_return r;
  }

 private:
  std::ostream& out_;
  std::mutex mutex_;
  std::uint64_t printed_ = 0;
};

}  // namespace

std::unique_ptr<event_sink> make_print_sink(std::ostream& out) { return std::make_unique<print_sink>(out); }

}  // namespace flowtrack::cli
