#include "http/gzip.hpp"

#include <zlib.h>

#include <algorithm>

namespace flowtrack::http {
namespace {
constexpr int gzip_window_bits = 15 + 16;  // 15-bit window, gzip wrapper
}

void gzip_compress(std::string_view in, std::string& out, int level) {
  z_stream zs{};
  deflateInit2(&zs, std::clamp(level, 1, 9), Z_DEFLATED, gzip_window_bits, 8, Z_DEFAULT_STRATEGY);
  out.resize(deflateBound(&zs, static_cast<uLong>(in.size())) + 32);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);  // the bound guarantees one call suffices
  out.resize(zs.total_out);
  deflateEnd(&zs);
}

std::error_code gzip_decompress(std::string_view in, std::string& out, std::size_t max_out) {
  z_stream zs{};
  if (inflateInit2(&zs, gzip_window_bits) != Z_OK) return std::make_error_code(std::errc::not_enough_memory);
  out.clear();
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  char chunk[16384];
  int rc = Z_OK;
  std::error_code ec;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(chunk);
    zs.avail_out = sizeof chunk;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      ec = std::make_error_code(std::errc::bad_message);
      break;
    }
    std::size_t produced = sizeof chunk - zs.avail_out;
    if (out.size() + produced > max_out) {
      ec = std::make_error_code(std::errc::value_too_large);
      break;
    }
    out.append(chunk, produced);
    if (rc == Z_OK && produced == 0 && zs.avail_in == 0) {  // input ended before the stream did
      ec = std::make_error_code(std::errc::bad_message);
      break;
    }
  }
  inflateEnd(&zs);
  return ec;
}

}  // namespace flowtrack::http
