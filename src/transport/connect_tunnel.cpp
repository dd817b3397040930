#include "transport/connect_tunnel.hpp"

#include <utility>

#include "transport/proxy_url.hpp"

namespace flowtrack::detail {

std::string connect_request(std::string_view host, std::uint16_t port, std::string_view user_agent,
                            std::string_view authorization) {
  const std::string authority = host_and_port(host, port);
  std::string out = "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n";
  out.append("User-Agent: ").append(user_agent).append("\r\n");
  if (!authorization.empty()) out.append("Proxy-Authorization: ").append(authorization).append("\r\n");
  out.append("\r\n");
  return out;
}

connect_reply_reader::connect_reply_reader(http::limits limits) : limits_(limits), refusal_(limits) {}

connect_reply_reader::state connect_reply_reader::finish(int status, bool bytes_follow) {
  status_ = status;
  if (status >= 200 && status < 300) {
    // The proxy cannot have relayed anything yet: TLS starts with the client's hello.
    state_ = bytes_follow ? state::malformed : state::tunnel;
  } else {
    state_ = state::refused;
  }
  return state_;
}

connect_reply_reader::state connect_reply_reader::finish_refusal() {
  status_ = refusal_.release().status;
  // A 2xx with a body would have its "body" taken from the tunnel: not an answer to trust.
  state_ = status_ >= 200 && status_ < 300 ? state::malformed : state::refused;
  return state_;
}

connect_reply_reader::state connect_reply_reader::parse_received() {
  for (;;) {
    const auto end = received_.find("\r\n\r\n");
    if (end == std::string::npos) {
      state_ = received_.size() > limits_.header_bytes ? state::malformed : state::need_more;
      return state_;
    }
    const std::string_view header = std::string_view(received_).substr(0, end + 4);
    // The header alone: a bodiless answer is then complete (no framing, or Content-Length: 0).
    http::response_parser head(limits_);
    if (head.feed(header)) return state_ = state::malformed;
    if (head.interim()) {
      received_.erase(0, header.size());
      continue;
    }
    const bool rest = received_.size() > header.size();
    if (head.done() || !head.feed_eof()) return finish(head.release().status, rest);
    // The header announces a body: a refusal (a 2xx must not have one), read whole.
    reading_refusal_ = true;
    const std::string all = std::exchange(received_, {});
    if (refusal_.feed(all)) return state_ = state::malformed;
    if (refusal_.done()) return finish_refusal();
    return state_ = state::need_more;
  }
}

connect_reply_reader::state connect_reply_reader::feed(std::string_view bytes) {
  if (state_ != state::need_more) return state_;
  if (reading_refusal_) {
    if (refusal_.feed(bytes)) return state_ = state::malformed;
    if (refusal_.done()) return finish_refusal();
    return state_;
  }
  received_.append(bytes);
  return parse_received();
}

connect_reply_reader::state connect_reply_reader::feed_eof() {
  if (state_ != state::need_more) return state_;
  if (reading_refusal_ && !refusal_.feed_eof() && refusal_.done()) return finish_refusal();
  return state_ = state::malformed;
}

}  // namespace flowtrack::detail
