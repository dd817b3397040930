#include "update_check.hpp"

#include <array>

#include <asio/connect.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <flowtrack/cli/semver.hpp>
#include <flowtrack/endpoint.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <nlohmann/json.hpp>

#include "http/http_codec.hpp"

namespace demo {
namespace {

using namespace asio::experimental::awaitable_operators;
constexpr auto as_value = asio::experimental::as_tuple(asio::use_awaitable);

// u: a plain-HTTP URL (the demo's check talks to a local mock), parsed by the client's parser.
asio::awaitable<std::optional<std::string>> fetch_version(flowtrack::endpoint_url u) {
  auto ex = co_await asio::this_coro::executor;
  asio::ip::tcp::resolver resolver(ex);
  auto [rec, endpoints] = co_await resolver.async_resolve(u.host, std::to_string(u.port), as_value);
  if (rec) co_return std::nullopt;
  asio::ip::tcp::socket socket(ex);
  auto [cec, ep] = co_await asio::async_connect(socket, endpoints, as_value);
  if (cec) co_return std::nullopt;
  const std::string request =
      flowtrack::http::serialize_request_head("GET", u.base_path.empty() ? "/" : u.base_path, {{"Host", u.host_header}, {"Accept", "application/json"}}, 0, false);
  auto [wec, n] = co_await asio::async_write(socket, asio::buffer(request), as_value);
  if (wec) co_return std::nullopt;
  flowtrack::http::response_parser parser{{.header_bytes = 8192, .body_bytes = 8192}};
  std::array<char, 4096> buf;
  while (!parser.done()) {
    auto [ec, got] = co_await socket.async_read_some(asio::buffer(buf), as_value);
    if (got > 0 && parser.feed(std::string_view(buf.data(), got))) co_return std::nullopt;
    if (ec) {
      if (parser.got_some() && !parser.feed_eof() && parser.done()) break;
      co_return std::nullopt;
    }
  }
  auto res = parser.release();
  if (res.status != 200) co_return std::nullopt;
  auto body = nlohmann::json::parse(res.body, nullptr, false);
  if (!body.is_object() || !body.contains("version") || !body["version"].is_string()) co_return std::nullopt;
  co_return body["version"].get<std::string>();
}

}  // namespace

std::string update_check_url(const flowtrack::cli::env_lookup& env, flowtrack::cli::telemetry_state state) {
  namespace cli = flowtrack::cli;
  if (cli::env_flag(env, "FLOWTRACK_NO_UPDATE_NOTIFIER") || cli::telemetry_opted_out_by_env(env, "FLOWTRACK")) return {};
  if (state == cli::telemetry_state::disabled_by_env || state == cli::telemetry_state::disabled_by_setting ||
      state == cli::telemetry_state::awaiting_notice)
    return {};
  if (auto u = env("FLOWTRACK_UPDATE_URL")) return *u == "off" ? std::string() : *u;
  if (auto e = env("FLOWTRACK_ENDPOINT"); e && !e->empty()) return *e + "/cli/latest-version";
  return {};
}

asio::awaitable<std::optional<std::string>> check_for_update(std::string url, std::string current_version,
                                                             std::chrono::milliseconds timeout) {
  flowtrack::endpoint_url parts;
  if (flowtrack::parse_endpoint(url, parts) || parts.tls) co_return std::nullopt;
  asio::steady_timer timer(co_await asio::this_coro::executor, timeout);
  try {
    auto result = co_await (fetch_version(parts) || timer.async_wait(as_value));
    if (result.index() != 0) co_return std::nullopt;  // too slow
    auto latest = std::get<0>(result);
    if (latest && flowtrack::cli::is_newer_version(*latest, current_version)) co_return latest;
  } catch (...) {
  }
  co_return std::nullopt;
}

}  // namespace demo
