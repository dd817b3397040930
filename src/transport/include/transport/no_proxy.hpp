// NO_PROXY matching, as curl does it. Pure.
#pragma once

#include <string_view>

namespace flowtrack::detail {

/// Whether `host` (a name, an IPv4 address, or an IPv6 address with or without brackets) is
/// excluded from proxying by `list`, a NO_PROXY value: entries separated by commas and/or
/// white space; "*" alone matches every host. A name entry matches the host itself and every
/// name under it ("example.com" and ".example.com" both match "example.com" and
/// "api.example.com", never "badexample.com"), case-insensitively, a trailing dot ignored on
/// either side. An address entry matches the same address, or the addresses of a CIDR block
/// ("10.0.0.0/8", "fd00::/8"); names never match addresses. A port on an entry
/// ("example.com:8080", "[::1]:8080") is ignored. Thread-safe.
bool no_proxy_matches(std::string_view list, std::string_view host);

}  // namespace flowtrack::detail
