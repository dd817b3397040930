// gzip (RFC 1952) bodies with zlib: the client compresses requests, mock-segment decodes them.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>

namespace flowtrack::http {

/// Compresses `in` into a gzip member, replacing `out`. level: 1 (fast) .. 9 (small).
void gzip_compress(std::string_view in, std::string& out, int level = 6);

/// Decompresses a gzip body into `out`. Errors: std::errc::bad_message for corrupt input,
/// std::errc::value_too_large when the output would exceed max_out (a zip bomb guard).
std::error_code gzip_decompress(std::string_view in, std::string& out, std::size_t max_out);

}  // namespace flowtrack::http
