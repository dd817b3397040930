# BUILD_SHARED_LIBS=ON builds libflowtrack, libflowtrack_cli and libflowtrack_asio as shared
# libraries (the layers under the client stay static, position-independent parts of
# libflowtrack). Off by default: the static package is what the README's commands install.
#
# flowtrack_shared_library_properties(<target> [EXPORT_MAP]): for a shared <target>, the SONAME
# from the version and, with EXPORT_MAP, the symbols it exports (cmake/flowtrack.map). A static
# <target> is left alone.
#
# The SONAME is lib<name>.so.<major>.<minor> while the major version is 0 (a 0.x minor release
# may change the ABI, as the CMake package's SameMinorVersion compatibility says), and
# lib<name>.so.<major> from 1.0 on.
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(FLOWTRACK_SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})
else()
  set(FLOWTRACK_SOVERSION ${PROJECT_VERSION_MAJOR})
endif()

# Installed programs (flowtrack-drain, the tools) find the installed libraries beside them.
if(BUILD_SHARED_LIBS AND NOT DEFINED CMAKE_INSTALL_RPATH)
  include(GNUInstallDirs)
  set(CMAKE_INSTALL_RPATH "$ORIGIN/../${CMAKE_INSTALL_LIBDIR}")
endif()

function(flowtrack_shared_library_properties target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "EXPORT_MAP" "" "")
  get_target_property(type ${target} TYPE)
  if(NOT type STREQUAL "SHARED_LIBRARY")
    return()
  endif()
  set_target_properties(${target} PROPERTIES VERSION ${PROJECT_VERSION} SOVERSION ${FLOWTRACK_SOVERSION})
  if(arg_EXPORT_MAP)
    set(map ${PROJECT_SOURCE_DIR}/cmake/flowtrack.map)
    target_link_options(${target} PRIVATE "LINKER:--version-script=${map}" "LINKER:--no-undefined")
    set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${map})
  endif()
endfunction()
