# Precompiled headers (FLOWTRACK_PCH=ON by default): the third-party and standard headers every
# translation unit parses again, Asio's coroutine machinery, nlohmann/json, GoogleTest and
# GoogleMock, are parsed once per build family and loaded by every translation unit of that family.
# Project headers are never precompiled: an edit to one would rebuild every translation unit.
#
# A precompiled header can only be loaded by a compile with the same optimisation level and the
# same position-independence (clang refuses a -fPIC header in a -fPIE compile), so there is one
# per family, built by a host target and reused (REUSE_FROM) by the others of its family:
#   library  -O<build type>, -fPIC   host: flowtrack_api      users: the other layers, the client, the CLI layer, mock_segment_core
#   app      -O<build type>, -fPIE   host: flowtrack-demo     users: the other apps and benchmarks
#   test     -O0, -fPIE              host: flowtrack_test_pch users: every GoogleTest executable
# Each family's list holds only what all of its translation units may see: the library's has no
# GoogleTest, and none has Beast (its translation units define BOOST_DISABLE_ASSERTS first).
#
# ccache caches translation units that load a precompiled header when the header carries no
# timestamp (-fno-pch-timestamp) and the sloppiness FLOWTRACK_CCACHE_SLOPPINESS names is set
# (cmake/FlowtrackBuildSpeed.cmake); clang-tidy runs without them (scripts/clang_tidy_cached.py
# drops the precompiled-header flags from the compile commands it hands clang-tidy).
#
# On by default with clang only: g++ refuses a precompiled header in a compile whose -D macros
# differ from the host's (-Winvalid-pch, an error under -Werror), and the targets of a family do
# differ (FLOWTRACK_VERSION, BOOST_DISABLE_ASSERTS), so g++ builds parse the headers as before.
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  set(flowtrack_pch_default ON)
else()
  set(flowtrack_pch_default OFF)
endif()
option(FLOWTRACK_PCH "Precompile the third-party headers (Asio, nlohmann/json, GoogleTest)"
  ${flowtrack_pch_default})

set(FLOWTRACK_PCH_COMMON_HEADERS
  <algorithm> <chrono> <cstdint> <filesystem> <functional> <map> <memory> <optional> <string>
  <string_view> <system_error> <utility> <vector>
  <asio/any_io_executor.hpp> <asio/awaitable.hpp> <asio/bind_cancellation_slot.hpp>
  <asio/cancellation_signal.hpp> <asio/co_spawn.hpp> <asio/detached.hpp>
  <asio/experimental/as_tuple.hpp> <asio/experimental/awaitable_operators.hpp>
  <asio/io_context.hpp> <asio/ip/tcp.hpp> <asio/post.hpp> <asio/steady_timer.hpp>
  <asio/this_coro.hpp> <asio/use_awaitable.hpp> <asio/write.hpp>
  <nlohmann/json.hpp>)
set(FLOWTRACK_PCH_TEST_HEADERS ${FLOWTRACK_PCH_COMMON_HEADERS}
  <fstream> <random> <set> <sstream> <thread>
  <gtest/gtest.h> <gmock/gmock.h>)

# flowtrack_pch_host(<target> <headers>...): <target> builds the family's precompiled header.
function(flowtrack_pch_host target)
  if(NOT FLOWTRACK_PCH)
    return()
  endif()
  target_precompile_headers(${target} PRIVATE ${ARGN})
  # No timestamp in the header, so ccache can cache the translation units that load it.
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANG_AND_ID:CXX,Clang>:SHELL:-Xclang -fno-pch-timestamp>)
endfunction()

# flowtrack_pch_reuse(<host> <target>...): each <target> loads <host>'s precompiled header.
function(flowtrack_pch_reuse host)
  if(NOT FLOWTRACK_PCH)
    return()
  endif()
  foreach(target IN LISTS ARGN)
    target_precompile_headers(${target} REUSE_FROM ${host})
  endforeach()
endfunction()

# The test family's host: an executable of its own (an executable compiles with -fPIE, as every
# test does), holding nothing but the header, linked to what every test links, so its compile
# flags and definitions are the tests'.
function(flowtrack_test_pch_host target)
  if(NOT FLOWTRACK_PCH)
    return()
  endif()
  set(main ${CMAKE_CURRENT_BINARY_DIR}/${target}_main.cpp)
  file(CONFIGURE OUTPUT ${main} CONTENT "int main() { return 0; }\n")
  add_executable(${target} ${main})
  target_link_libraries(${target} PRIVATE flowtrack flowtrack_http GTest::gtest GTest::gmock
    flowtrack_warnings)
  flowtrack_pch_host(${target} ${FLOWTRACK_PCH_TEST_HEADERS})
endfunction()

# flowtrack_pch_reuse_tests(<host> <dir>): every executable defined under <dir> (recursively) that
# links GoogleTest loads the test family's header; the fuzz targets (their own instrumentation)
# and the host itself are left alone.
function(flowtrack_pch_reuse_tests host dir)
  if(NOT FLOWTRACK_PCH)
    return()
  endif()
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  foreach(target IN LISTS targets)
    get_target_property(type ${target} TYPE)
    get_target_property(libs ${target} LINK_LIBRARIES)
    if(type STREQUAL "EXECUTABLE" AND NOT target STREQUAL host AND libs MATCHES "GTest::"
       AND NOT target MATCHES "^fuzz_")
      target_precompile_headers(${target} REUSE_FROM ${host})
    endif()
  endforeach()
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(subdir IN LISTS subdirs)
    flowtrack_pch_reuse_tests(${host} ${subdir})
  endforeach()
endfunction()
