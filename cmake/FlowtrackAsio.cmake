# Debian's libasio-dev ships no CMake package: find the header and build the imported
# target ourselves. Asio is compiled once (ASIO_SEPARATE_COMPILATION) into flowtrack_asio,
# which every target that uses Asio links; it carries the defines every TU needs.
find_path(ASIO_INCLUDE_DIR asio.hpp REQUIRED)
file(STRINGS ${ASIO_INCLUDE_DIR}/asio/version.hpp _asio_version_line REGEX "#define ASIO_VERSION ")
string(REGEX MATCH "[0-9]+" _asio_version "${_asio_version_line}")
if(_asio_version LESS 102200)
  message(FATAL_ERROR "flowtrack needs standalone Asio >= 1.22 (found ${_asio_version})")
endif()

# Static by default; with BUILD_SHARED_LIBS=ON it is libflowtrack_asio.so, the one copy of Asio's
# compiled part that a program, libflowtrack and libflowtrack_cli share (README, "Shared libraries").
add_library(flowtrack_asio ${CMAKE_CURRENT_LIST_DIR}/../src/asio/asio_impl.cpp)
add_library(flowtrack::asio ALIAS flowtrack_asio)
target_include_directories(flowtrack_asio SYSTEM PUBLIC $<BUILD_INTERFACE:${ASIO_INCLUDE_DIR}>)
# The Asio configuration every TU that includes Asio (the library's and its users') must share;
# the installed flowtrack.pc carries the same list (cmake/FlowtrackInstall.cmake):
#   ASIO_STANDALONE             Asio without Boost (Debian's libasio-dev);
#   ASIO_SEPARATE_COMPILATION   Asio's non-template code is compiled once, here: a TU without it
#                               would define the same functions inline again (duplicate or
#                               mismatched definitions at link time);
#   ASIO_HAS_CO_AWAIT=1         the coroutine support flowtrack's API is written in.
# Nothing else is imposed on a consumer: in particular not ASIO_NO_DEPRECATED. This part is
# compiled WITH Asio's deprecated API (a consumer's asio::io_service, io_context::work... link),
# and the project's own code is checked against it with ASIO_NO_DEPRECATED
# (cmake/FlowtrackWarnings.cmake): the macro only hides declarations and whole deprecated classes,
# never a member of a class both sides use, so the two compile the same layouts.
set(FLOWTRACK_ASIO_DEFINITIONS ASIO_STANDALONE ASIO_HAS_CO_AWAIT=1 ASIO_SEPARATE_COMPILATION)
target_compile_definitions(flowtrack_asio PUBLIC ${FLOWTRACK_ASIO_DEFINITIONS})
target_compile_options(flowtrack_asio PUBLIC
  $<$<CXX_COMPILER_ID:Clang>:-fno-sanitize=function>)
target_link_libraries(flowtrack_asio PUBLIC Threads::Threads OpenSSL::SSL OpenSSL::Crypto)
set_target_properties(flowtrack_asio PROPERTIES EXPORT_NAME asio OUTPUT_NAME flowtrack_asio)
flowtrack_shared_library_properties(flowtrack_asio)
