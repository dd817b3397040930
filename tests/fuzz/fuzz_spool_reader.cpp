// libFuzzer target: the spool reader over arbitrary file contents (torn, corrupt, hostile).
#include <cstddef>
#include <cstdint>
#include <string>

#include "spool/spool_format.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string file(flowtrack::detail::spool_magic);
  file.append(reinterpret_cast<const char*>(data), size);
  auto parsed = flowtrack::detail::parse_spool(file);
  if (parsed.good_bytes + parsed.corrupt_bytes != file.size()) __builtin_trap();
  (void)flowtrack::detail::parse_spool(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
