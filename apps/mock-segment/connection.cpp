// One connection: read requests (keep-alive, pipelined bytes kept for the next request), route
// them to the admin surface or to ingest, apply the scripted fault or the mode, answer.
#include <vector>

#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include "admin_api.hpp"
#include "lean_ingest.hpp"
#include "server.hpp"
#include "validation.hpp"

namespace mock_segment {
namespace http = flowtrack::http;
using namespace asio::experimental::awaitable_operators;

namespace {
constexpr auto as_value = asio::experimental::as_tuple(asio::use_awaitable);

http::response parse_failure_response(std::error_code ec) {
  if (ec == http::parse_error::body_too_large) return plain_response(413, "request body too large\n", false);
  if (ec == http::parse_error::header_too_large) return plain_response(431, "request header too large\n", false);
  return plain_response(400, "malformed HTTP request\n", false);
}
// Why an ingest request was refused, for the request log: the plain-text body, one line.
std::string reason_of(const http::response& res) {
  std::string reason = res.body.substr(0, 200);
  while (!reason.empty() && (reason.back() == '\n' || reason.back() == '\r')) reason.pop_back();
  return reason;
}
}  // namespace

asio::awaitable<void> server::serve(socket_ptr socket) {
  // Lean mode is for bodies arriving at hundreds of MB/s: bigger reads mean fewer wake-ups and
  // idle-timer re-arms per request.
  std::vector<char> buf(options_.lean ? 256 * 1024 : 16 * 1024);
  std::string leftover;
  std::string decoded;  // the lean mode's gzip decoding, capacity reused
  asio::steady_timer idle(io_);
  bool keep_going = true;
  while (keep_going) {
    // Read one request (or what is left of a pipelined one), bounded by the idle timeout.
    http::request_parser parser{http::limits{.header_bytes = wire_limits.header_bytes, .body_bytes = options_.max_body_bytes}};
    std::error_code parse_ec;
    // This request's bytes count against the server-wide cap until it is answered.
    struct inflight_share {
      std::size_t& total;
      std::size_t mine = 0;
      void add(std::size_t n) {
        total += n;
        mine += n;
      }
      ~inflight_share() { total -= mine; }
    } inflight{inflight_bytes_};
    bool over_inflight_cap = false;
    if (!leftover.empty()) {
      inflight.add(leftover.size());
      parse_ec = parser.feed(std::exchange(leftover, {}));
    }
    while (!parse_ec && !parser.done()) {
      // Past the cap, a request carrying a body is refused; small ones (the admin API, a
      // header still arriving) are served, so the server stays inspectable under the flood.
      if (inflight_bytes_ > options_.max_inflight_bytes && inflight.mine > wire_limits.header_bytes) {
        over_inflight_cap = true;
        break;
      }
      idle.expires_after(options_.idle_timeout);
      auto result = co_await (socket->async_read_some(asio::buffer(buf), as_value) || idle.async_wait(as_value));
      if (result.index() == 1) {
        keep_going = false;  // idle too long
        break;
      }
      auto [ec, n] = std::get<0>(result);
      inflight.add(n);
      if (n > 0) parse_ec = parser.feed(std::string_view(buf.data(), n));
      if (ec) {
        keep_going = false;
        break;
      }
    }
    if (!keep_going) break;
    if (over_inflight_cap) {
      http::response busy = plain_response(503, "too many request bytes in flight\n", false);
      busy.headers.push_back({"Retry-After", "1"});
      store_.count_request(503);
      co_await respond(*socket, busy);
      co_await lingering_close(*socket);
      break;
    }
    if (parse_ec) {
      const http::response refusal = parse_failure_response(parse_ec);
      store_.count_request(refusal.status);  // in /admin/stats' by_status: a 413 is seen there
      co_await respond(*socket, refusal);
      co_await lingering_close(*socket);
      break;
    }
    leftover = parser.take_leftover();
    http::request req = parser.release();
    const std::string path = req.target.substr(0, req.target.find('?'));

    // The admin surface, the live page and the update check: never faulted, no auth.
    if (auto admin = handle_admin(req, store_, options_.admin_token)) {
      co_await pause(admin->delay);
      log(req, admin->response.status);
      keep_going = co_await respond(*socket, admin->response) && req.keep_alive;
      continue;
    }
    auto type = ingest_type_for_path(path);
    if (!type) {
      log(req, 404);
      keep_going = co_await respond(*socket, plain_response(404, "not found\n")) && req.keep_alive;
      continue;
    }

    // Ingest: the next scripted fault (or the mode's), else the real API's behaviour. The lean
    // mode builds no log entry and answers success with bytes serialized once.
    store_.count_body(req.body.size());
    const std::uint64_t id = store_.next_request_id();
    nlohmann::json entry = options_.lean ? nlohmann::json() : describe_request(req, id);
    std::optional<fault> f = store_.next_fault();
    if (f) {
      if (!options_.lean) entry["fault"] = f->to_json();
      co_await pause(std::chrono::milliseconds(f->delay_ms));
    }
    if (f && !f->action.empty()) {
      log(req, 0, f->action);
      if (!options_.lean) entry["reason"] = "injected fault: " + f->action + " (no answer)";
      record_request(std::move(entry), 0);
      co_await apply_fault_action(*socket, f->action);
      break;
    }
    http::response res;
    if (f && f->status != 0) {
      res = plain_response(f->status, "injected fault\n");
      if (f->retry_after >= 0) res.headers.push_back({"Retry-After", std::to_string(f->retry_after)});
    } else if (options_.lean) {
      std::optional<http::response> refused = lean_ingest(req, type->empty(), options_.ingest, store_, decoded);
      if (!refused) {
        log(req, 200);
        store_.count_request(200);
        keep_going = co_await send(*socket, accepted_wire_) && req.keep_alive;
        continue;
      }
      res = std::move(*refused);
    } else {
      res = ingest(req, *type, options_.ingest, store_, id, entry);
    }
    log(req, res.status, f ? "fault" : "");
    if (!options_.lean && res.status != 200) entry["reason"] = reason_of(res);
    record_request(std::move(entry), res.status);
    keep_going = co_await respond(*socket, res) && req.keep_alive;
  }
  std::error_code ignored;
  socket->close(ignored);
  connections_.erase(socket);
}

}  // namespace mock_segment
