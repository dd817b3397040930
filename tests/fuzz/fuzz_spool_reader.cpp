// libFuzzer target: the spool reader over arbitrary file contents (torn, corrupt, hostile).
#include <cstddef>
#include <cstdint>
#include <string>

#include "spool/spool_format.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string file(flowtrack::detail::spool_magic);
  file.append(reinterpret_cast<const char*>(data), size);
  auto parsed = flowtrack::detail::parse_spool(file);
  if (parsed.corrupt_bytes > file.size() - flowtrack::detail::spool_magic.size()) __builtin_trap();
  if (parsed.good_bytes > file.size() || (parsed.corrupt_bytes > 0) != (parsed.corrupt_records > 0)) __builtin_trap();
  // What was read back survives a rewrite exactly: written again, it reads the same, intact.
  std::string again(flowtrack::detail::spool_magic);
  for (const auto& m : parsed.messages)
    flowtrack::detail::append_spool_record(again, flowtrack::detail::spool_record_kind::message, m);
  auto reparsed = flowtrack::detail::parse_spool(again);
  if (reparsed.corrupt_bytes != 0 || reparsed.messages != parsed.messages) __builtin_trap();
  (void)flowtrack::detail::parse_spool(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
