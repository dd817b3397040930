// UUIDv4 message ids, generated without locks (a per-thread generator).
#pragma once

#include <string>

namespace flowtrack::detail {

/// Writes 36 characters (lowercase 8-4-4-4-12, version 4, RFC 4122 variant) to `out`.
void write_uuid_v4(char* out);
std::string make_uuid_v4();

}  // namespace flowtrack::detail
