// The only translation unit that includes Beast. Include just the codec headers: the wider
// ones (beast/http.hpp, read.hpp, write.hpp, beast/core.hpp) clash with standalone Asio.
#include "http/http_codec.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/string_body.hpp>

#include <algorithm>
#include <cctype>
#include <optional>

namespace flowtrack::http {
namespace beast_http = boost::beast::http;

namespace {

class parse_category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "flowtrack.http"; }
  std::string message(int v) const override {
    switch (static_cast<parse_error>(v)) {
      case parse_error::malformed: return "malformed HTTP message";
      case parse_error::header_too_large: return "HTTP header too large";
      case parse_error::body_too_large: return "HTTP body too large";
      case parse_error::truncated: return "connection closed mid-message";
    }
    return "unknown HTTP parse error";
  }
};

bool iequals(std::string_view a, std::string_view b) noexcept {
  return std::ranges::equal(a, b, [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  });
}

std::error_code translate(const boost::system::error_code& ec) {
  if (ec == beast_http::error::header_limit) return parse_error::header_too_large;
  if (ec == beast_http::error::body_limit) return parse_error::body_too_large;
  if (ec == beast_http::error::partial_message) return parse_error::truncated;
  return parse_error::malformed;
}

// Serializes a message whose body (if any) the serializer emits itself, into one string.
template <bool IsRequest, class Body>
std::string serialize(beast_http::message<IsRequest, Body>& msg) {
  beast_http::serializer<IsRequest, Body> sr{msg};
  std::string out;
  boost::system::error_code ec;
  while (!sr.is_done()) {
    std::size_t n = 0;
    sr.next(ec, [&](boost::system::error_code&, const auto& buffers) {
      for (auto b : boost::beast::buffers_range_ref(buffers)) {
        out.append(static_cast<const char*>(b.data()), b.size());
        n += b.size();
      }
    });
    if (ec) break;  // cannot happen for in-memory bodies
    sr.consume(n);
  }
  return out;
}

void copy_fields(const beast_http::fields& from, fields& to) {
  to.reserve(std::distance(from.begin(), from.end()));
  for (const auto& f : from) to.push_back({std::string(f.name_string()), std::string(f.value())});
}

}  // namespace

const std::error_category& parse_error_category() noexcept {
  static const parse_category instance;
  return instance;
}

std::string_view find_field(const fields& headers, std::string_view name) noexcept {
  for (const auto& f : headers)
    if (iequals(f.name, name)) return f.value;
  return {};
}

std::string serialize_request_head(std::string_view method, std::string_view target,
                                   const fields& headers, std::size_t content_length,
                                   bool keep_alive) {
  beast_http::request<beast_http::empty_body> req;
  req.method_string(boost::beast::string_view(method.data(), method.size()));
  req.target(boost::beast::string_view(target.data(), target.size()));
  req.version(11);
  for (const auto& f : headers) req.insert(f.name, f.value);
  req.set(beast_http::field::content_length, std::to_string(content_length));
  if (!keep_alive) req.set(beast_http::field::connection, "close");
  return serialize(req);
}

std::string serialize_response(const response& r) {
  beast_http::response<beast_http::string_body> res;
  res.result(static_cast<unsigned>(r.status));
  if (!r.reason.empty()) res.reason(r.reason);
  res.version(11);
  for (const auto& f : r.headers) res.insert(f.name, f.value);
  res.body() = r.body;
  res.keep_alive(r.keep_alive);
  res.prepare_payload();
  return serialize(res);
}

template <bool IsRequest>
struct parser<IsRequest>::impl {
  beast_http::parser<IsRequest, beast_http::string_body> p;
  std::string pending;   // bytes the parser has not consumed yet
  bool failed = false;

  explicit impl(limits lim) {
    p.eager(true);
    p.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(lim.header_bytes, UINT32_MAX)));
    p.body_limit(lim.body_bytes);
  }

  // Feeds data to Beast until it is done, needs more, or fails; returns bytes consumed.
  std::size_t put(std::string_view data, std::error_code& out) {
    std::size_t used = 0;
    while (used < data.size() && !p.is_done()) {
      boost::system::error_code ec;
      std::size_t n = p.put(boost::asio::const_buffer(data.data() + used, data.size() - used), ec);
      used += n;
      if (ec == beast_http::error::need_more) break;
      if (ec) {
        failed = true;
        out = translate(ec);
        break;
      }
      if (n == 0) break;
    }
    return used;
  }
};

template <bool IsRequest>
parser<IsRequest>::parser(limits lim) : impl_(std::make_unique<impl>(lim)) {}
template <bool IsRequest>
parser<IsRequest>::~parser() = default;
template <bool IsRequest>
parser<IsRequest>::parser(parser&&) noexcept = default;
template <bool IsRequest>
parser<IsRequest>& parser<IsRequest>::operator=(parser&&) noexcept = default;

template <bool IsRequest>
std::error_code parser<IsRequest>::feed(std::string_view bytes) {
  std::error_code ec;
  if (impl_->failed) return parse_error::malformed;
  if (impl_->p.is_done()) {
    impl_->pending.append(bytes);
    return ec;
  }
  if (impl_->pending.empty()) {
    std::size_t used = impl_->put(bytes, ec);
    if (!ec) impl_->pending.assign(bytes.substr(used));
  } else {
    impl_->pending.append(bytes);
    std::size_t used = impl_->put(impl_->pending, ec);
    if (!ec) impl_->pending.erase(0, used);
  }
  return ec;
}

template <bool IsRequest>
std::error_code parser<IsRequest>::feed_eof() {
  if (impl_->failed) return parse_error::malformed;
  if (impl_->p.is_done()) return {};
  // Beast asserts when put_eof() comes before any byte: nothing received is the caller's case.
  if (!impl_->p.got_some()) return parse_error::truncated;
  boost::system::error_code ec;
  impl_->p.put_eof(ec);
  if (ec) {
    impl_->failed = true;
    return translate(ec);
  }
  return {};
}

template <bool IsRequest>
bool parser<IsRequest>::done() const noexcept {
  return impl_->p.is_done();
}

template <bool IsRequest>
bool parser<IsRequest>::interim() const noexcept {
  if constexpr (IsRequest) {
    return false;
  } else {
    if (impl_->failed || !impl_->p.is_header_done()) return false;
    const unsigned status = impl_->p.get().result_int();
    return status >= 100 && status < 200 && status != 101;
  }
}

template <bool IsRequest>
bool parser<IsRequest>::got_some() const noexcept {
  return impl_->p.got_some() || !impl_->pending.empty();
}

template <bool IsRequest>
typename parser<IsRequest>::message_type parser<IsRequest>::release() {
  message_type out;
  out.keep_alive = impl_->p.keep_alive();  // the parser's view also knows EOF-delimited bodies
  auto msg = impl_->p.release();
  if constexpr (IsRequest) {
    out.method = std::string(msg.method_string());
    out.target = std::string(msg.target());
  } else {
    out.status = static_cast<int>(msg.result_int());
    out.reason = std::string(msg.reason());
  }
  copy_fields(msg.base(), out.headers);
  out.body = std::move(msg.body());
  return out;
}

template <bool IsRequest>
std::string parser<IsRequest>::take_leftover() {
  return std::exchange(impl_->pending, {});
}

template class parser<true>;
template class parser<false>;

}  // namespace flowtrack::http
