#include "faults.hpp"

#include <array>

#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

namespace mock_segment {

namespace {
constexpr auto as_value = asio::experimental::as_tuple(asio::use_awaitable);
constexpr std::array<std::string_view, 5> actions = {"close", "blackhole", "reset", "garbage", "truncate"};
}  // namespace

nlohmann::json fault::to_json() const {
  nlohmann::json j = nlohmann::json::object();
  if (status) j["status"] = status;
  if (retry_after >= 0) j["retry_after"] = retry_after;
  if (delay_ms) j["delay_ms"] = delay_ms;
  if (!action.empty()) j["action"] = action;
  return j;
}

std::optional<fault> fault::from_json(const nlohmann::json& j, std::string& error) {
  if (!j.is_object()) {
    error = "a fault is a JSON object";
    return std::nullopt;
  }
  for (const auto& [key, value] : j.items()) {
    if (key != "status" && key != "retry_after" && key != "delay_ms" && key != "action") {
      error = "unknown fault field: " + key;
      return std::nullopt;
    }
  }
  fault f;
  auto int_field = [&](const char* key, int& out, int lo, int hi) {
    auto it = j.find(key);
    if (it == j.end()) return true;
    if (!it->is_number_integer() || it->get<long long>() < lo || it->get<long long>() > hi) {
      error = std::string(key) + " must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
      return false;
    }
    out = it->get<int>();
    return true;
  };
  if (!int_field("status", f.status, 100, 599) || !int_field("retry_after", f.retry_after, 0, 86400) ||
      !int_field("delay_ms", f.delay_ms, 0, 600000))
    return std::nullopt;
  if (auto it = j.find("action"); it != j.end()) {
    bool known = false;
    for (auto a : actions) known = known || (it->is_string() && it->get_ref<const std::string&>() == a);
    if (!known) {
      error = "action must be one of close, blackhole, reset, garbage, truncate";
      return std::nullopt;
    }
    f.action = it->get<std::string>();
  }
  if (f.status == 0 && f.delay_ms == 0 && f.action.empty()) {
    error = "a fault needs status, delay_ms or action";
    return std::nullopt;
  }
  if (!f.action.empty() && (f.status != 0 || f.retry_after >= 0)) {
    error = "an action sends no status: combine it with delay_ms only";
    return std::nullopt;
  }
  if (f.retry_after >= 0 && f.status == 0) {
    error = "retry_after needs a status";
    return std::nullopt;
  }
  return f;
}

asio::awaitable<void> apply_fault_action(asio::ip::tcp::socket& socket, const std::string& action) {
  std::error_code ignored;
  if (action == "blackhole") {
    std::array<char, 4096> sink;
    for (;;) {  // read and discard, never answer, until the client goes or we shut down
      auto [ec, n] = co_await socket.async_read_some(asio::buffer(sink), as_value);
      if (ec) break;
    }
  } else if (action == "reset") {
    socket.set_option(asio::socket_base::linger(true, 0), ignored);  // close() then sends an RST
  } else if (action == "truncate") {  // a response cut by an RST in the middle of its body
    static const std::string partial =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n{\"succ";
    co_await asio::async_write(socket, asio::buffer(partial), as_value);
    socket.set_option(asio::socket_base::linger(true, 0), ignored);
  } else if (action == "garbage") {
    static const std::string junk = "HTTP/1.1 2OO 0K\r\nContent-Length: banana\r\n\x01\x02\r\n\r\n";
    co_await asio::async_write(socket, asio::buffer(junk), as_value);
  }
  socket.close(ignored);  // "close": drop the connection without answering
}

}  // namespace mock_segment
