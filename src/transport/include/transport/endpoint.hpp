// The endpoint URL, parsed once at client construction: the public parser
// (flowtrack/endpoint.hpp) under the names the transport layer uses.
#pragma once

#include "flowtrack/endpoint.hpp"

namespace flowtrack::detail {

using flowtrack::endpoint_url;
using flowtrack::parse_endpoint;

}  // namespace flowtrack::detail
