#include "transport/no_proxy.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <optional>
#include <string>

#include <asio/ip/address.hpp>

namespace flowtrack::detail {
namespace {

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view without_brackets(std::string_view s) {
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') return s.substr(1, s.size() - 2);
  return s;
}

std::optional<asio::ip::address> address_of(std::string_view text) {
  std::error_code ec;
  auto a = asio::ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  return a;
}

// The entry without its port: "[v6]:port" -> "v6", "name:port" / "v4:port" -> before the
// colon; a bare IPv6 address (several colons) is left whole.
std::string_view without_port(std::string_view entry) {
  if (entry.starts_with('[')) {
    const auto close = entry.find(']');
    return close == std::string_view::npos ? entry : entry.substr(1, close - 1);
  }
  const auto colon = entry.find(':');
  if (colon != std::string_view::npos && entry.find(':', colon + 1) == std::string_view::npos)
    return entry.substr(0, colon);
  return entry;
}

bool same_prefix(const asio::ip::address& a, const asio::ip::address& b, unsigned bits) {
  if (a.is_v4() != b.is_v4()) return false;
  std::array<unsigned char, 16> x{}, y{};
  std::size_t size = 0;
  if (a.is_v4()) {
    auto p = a.to_v4().to_bytes(), q = b.to_v4().to_bytes();
    std::copy(p.begin(), p.end(), x.begin());
    std::copy(q.begin(), q.end(), y.begin());
    size = 4;
  } else {
    x = a.to_v6().to_bytes();
    y = b.to_v6().to_bytes();
    size = 16;
  }
  if (bits > size * 8) return false;
  for (std::size_t i = 0; i < size && bits > 0; ++i) {
    const unsigned take = std::min(bits, 8u);
    const auto mask = static_cast<unsigned char>(0xffu << (8 - take));
    if ((x[i] & mask) != (y[i] & mask)) return false;
    bits -= take;
  }
  return true;
}

bool address_entry_matches(std::string_view entry, const asio::ip::address& host) {
  const auto slash = entry.find('/');
  std::string_view address_text = entry.substr(0, slash);
  address_text = slash == std::string_view::npos ? without_port(address_text) : without_brackets(address_text);
  const auto network = address_of(address_text);
  if (!network) return false;
  unsigned bits = network->is_v4() ? 32 : 128;
  if (slash != std::string_view::npos) {
    const std::string_view bits_text = entry.substr(slash + 1);
    auto [end, ec] = std::from_chars(bits_text.data(), bits_text.data() + bits_text.size(), bits);
    if (bits_text.empty() || ec != std::errc{} || end != bits_text.data() + bits_text.size()) return false;
  }
  return same_prefix(*network, host, bits);
}

bool name_entry_matches(std::string_view entry, std::string_view host) {
  entry = without_port(entry);
  if (entry.starts_with('.')) entry.remove_prefix(1);
  if (entry.ends_with('.')) entry.remove_suffix(1);
  if (entry.empty()) return false;
  if (host.size() == entry.size()) return equal_ignoring_case(host, entry);
  return host.size() > entry.size() && host[host.size() - entry.size() - 1] == '.' &&
         equal_ignoring_case(host.substr(host.size() - entry.size()), entry);
}

}  // namespace

bool no_proxy_matches(std::string_view list, std::string_view host) {
  constexpr std::string_view separators = ", \t\r\n";
  const auto first = list.find_first_not_of(separators);
  if (first == std::string_view::npos) return false;
  const auto last = list.find_last_not_of(separators);
  if (list.substr(first, last - first + 1) == "*") return true;

  host = without_brackets(host);
  if (host.ends_with('.')) host.remove_suffix(1);
  const auto host_address = address_of(host);
  std::size_t at = 0;
  while ((at = list.find_first_not_of(separators, at)) != std::string_view::npos) {
    const auto end = std::min(list.find_first_of(separators, at), list.size());
    const std::string_view entry = list.substr(at, end - at);
    at = end;
    if (host_address ? address_entry_matches(entry, *host_address) : name_entry_matches(entry, host)) return true;
  }
  return false;
}

}  // namespace flowtrack::detail
