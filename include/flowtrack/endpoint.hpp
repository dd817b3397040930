// The endpoint URL of a Segment-compatible API, as the client reads config::endpoint: parsed
// once at client construction. Public so that a program (or the CLI layer) can check an endpoint
// before building a client, and show where events go without printing a path or a key.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

namespace flowtrack {

struct endpoint_url {
  bool tls = true;
  std::string host;          ///< name or address, without IPv6 brackets
  std::uint16_t port = 443;
  std::string base_path;     ///< the URL's path, trailing slashes removed ("" for none)
  std::string batch_target;  ///< base path + "/v1/batch"
  std::string host_header;   ///< host, bracketed for IPv6, with ":port" when not the default
};

/// Parses "http[s]://host[:port][/base/path]" as the client does (the demo's update check
/// reads its URL with it too: one parser, IPv6 literals included). Errors: errc::invalid_config
/// (other schemes, empty host, bad port, user info, query or fragment). Pure; thread-safe.
std::error_code parse_endpoint(std::string_view url, endpoint_url& out);

}  // namespace flowtrack
