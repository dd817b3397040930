# `cmake --install` puts the headers, the libraries, a CMake package and a pkg-config file in the
# prefix:
#   find_package(flowtrack CONFIG REQUIRED)
#   target_link_libraries(app PRIVATE flowtrack::flowtrack)
# or
#   c++ app.cpp $(pkg-config --cflags --libs flowtrack)
# flowtrack::asio is exported with it: Debian's libasio-dev has no CMake package, so the
# package recreates the Asio target (defines + the separately compiled Asio library).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/flowtrack DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# The layers are installed with it: a static libflowtrack needs them at link time (its export
# lists them as link-only dependencies; a program includes none of their headers).
install(TARGETS flowtrack flowtrack_cli flowtrack_api flowtrack_common flowtrack_wire flowtrack_policy
  flowtrack_http flowtrack_transport flowtrack_spool flowtrack_asio
  EXPORT flowtrackTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT flowtrackTargets NAMESPACE flowtrack:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/flowtrack)
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/flowtrackConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/flowtrackConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/flowtrack)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/flowtrackConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/flowtrackConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/flowtrackConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/flowtrack)

# flowtrack.pc, with its prefix found relative to its own folder (<prefix>/<libdir>/pkgconfig).
file(RELATIVE_PATH FLOWTRACK_PC_PREFIX_FROM_PCDIR
  /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
list(TRANSFORM FLOWTRACK_ASIO_DEFINITIONS PREPEND -D OUTPUT_VARIABLE flowtrack_pc_defines)
list(JOIN flowtrack_pc_defines " " FLOWTRACK_PC_ASIO_DEFINES)
# A static libflowtrack needs its layers at link time; a shared one holds them.
if(BUILD_SHARED_LIBS)
  set(FLOWTRACK_PC_LAYER_LIBS "")
else()
  set(FLOWTRACK_PC_LAYER_LIBS
    "-lflowtrack_transport -lflowtrack_http -lflowtrack_spool -lflowtrack_policy -lflowtrack_wire -lflowtrack_common -lflowtrack_api ")
endif()
configure_file(${CMAKE_CURRENT_LIST_DIR}/flowtrack.pc.in ${CMAKE_CURRENT_BINARY_DIR}/flowtrack.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/flowtrack.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
