# flowtrack_warnings: the warnings and checks of the project's own targets (never a consumer's).
# FLOWTRACK_WERROR turns them into errors: OFF by default, so a plain
# `cmake -DCMAKE_BUILD_TYPE=Release` build with another compiler or optimisation level than the
# project's CI is not stopped by a new compiler's false positive; the presets (CMakePresets.json),
# hence CI and scripts/check.sh, set it ON.
option(FLOWTRACK_WERROR "Treat the project's own warnings as errors" OFF)
add_library(flowtrack_warnings INTERFACE)
target_compile_options(flowtrack_warnings INTERFACE
  -Wall -Wextra -Wpedantic $<$<BOOL:${FLOWTRACK_WERROR}>:-Werror>
  $<$<CXX_COMPILER_ID:GNU>:-Wno-tsan>
  # g++ 12 at -O2 reports Asio's coroutine frame allocator (operator new/delete with a size
  # it recycles) as mismatched: a false positive in every file with an Asio coroutine.
  $<$<CXX_COMPILER_ID:GNU>:-Wno-mismatched-new-delete>
  # g++ 12 warns on every designated initializer that leaves a member to its default member
  # initializer (`outcome{.event = ...}`): the house style for options and outcomes (clang does
  # not warn; the members it names all have defaults).
  $<$<CXX_COMPILER_ID:GNU>:-Wno-missing-field-initializers>)
# The project's own code uses none of Asio's deprecated API; a consumer may (see
# cmake/FlowtrackAsio.cmake), so this never reaches the exported targets.
target_compile_definitions(flowtrack_warnings INTERFACE ASIO_NO_DEPRECATED)

# Beast carries a false assertion in its chunked parser (see docs/BUILDING.md): keep
# BOOST_ASSERT off in every build type for code that includes Beast.
add_library(flowtrack_beast_headers INTERFACE)
target_link_libraries(flowtrack_beast_headers INTERFACE Boost::headers)
target_compile_definitions(flowtrack_beast_headers INTERFACE BOOST_DISABLE_ASSERTS)
