# Build speed, without changing what is built:
# - ccache, when installed, in front of the compiler (FLOWTRACK_CCACHE=OFF to build without it).
#   Paths under the source tree are hashed relative to it (CCACHE_BASEDIR) and the build
#   directory is left out of the hash (CCACHE_NOHASHDIR), so a second clone of the repository,
#   a worktree or a CI checkout in another folder reuses the objects of the first.
#   FLOWTRACK_CCACHE_SLOPPINESS lets ccache cache the translation units that load a precompiled
#   header (cmake/FlowtrackPrecompiledHeaders.cmake): pch_defines and time_macros are what ccache's
#   manual asks for, include_file_mtime/ctime because the header is rebuilt just before its users.
# - lld as the linker, when the compiler can use it (FLOWTRACK_LLD=OFF for the default linker):
#   linking the ~25 test and app executables with full debug info is several times faster.
# Neither is exported to the installed package: a consumer's build is its own.
option(FLOWTRACK_CCACHE "Compile through ccache when it is installed" ON)
option(FLOWTRACK_LLD "Link with lld when the compiler supports -fuse-ld=lld" ON)

if(FLOWTRACK_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  find_program(FLOWTRACK_CCACHE_PROGRAM ccache)
  if(FLOWTRACK_CCACHE_PROGRAM)
    set(FLOWTRACK_CCACHE_SLOPPINESS pch_defines,time_macros,include_file_mtime,include_file_ctime)
    set(CMAKE_CXX_COMPILER_LAUNCHER
      /usr/bin/env CCACHE_BASEDIR=${PROJECT_SOURCE_DIR} CCACHE_NOHASHDIR=true
      CCACHE_SLOPPINESS=${FLOWTRACK_CCACHE_SLOPPINESS} ${FLOWTRACK_CCACHE_PROGRAM})
  endif()
endif()

if(FLOWTRACK_LLD)
  include(CheckLinkerFlag)
  check_linker_flag(CXX -fuse-ld=lld FLOWTRACK_HAVE_LLD)
  if(FLOWTRACK_HAVE_LLD)
    add_link_options(-fuse-ld=lld)
  endif()
endif()
