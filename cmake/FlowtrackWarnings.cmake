# flowtrack_warnings: warnings-as-errors for the project's own targets only.
add_library(flowtrack_warnings INTERFACE)
target_compile_options(flowtrack_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Werror
  $<$<CXX_COMPILER_ID:GNU>:-Wno-tsan>
  # g++ 12 at -O2 reports Asio's coroutine frame allocator (operator new/delete with a size
  # it recycles) as mismatched: a false positive in every file with an Asio coroutine.
  $<$<CXX_COMPILER_ID:GNU>:-Wno-mismatched-new-delete>)

# Beast carries a false assertion in its chunked parser (see docs/BUILDING.md): keep
# BOOST_ASSERT off in every build type for code that includes Beast.
add_library(flowtrack_beast_headers INTERFACE)
target_link_libraries(flowtrack_beast_headers INTERFACE Boost::headers)
target_compile_definitions(flowtrack_beast_headers INTERFACE BOOST_DISABLE_ASSERTS)
