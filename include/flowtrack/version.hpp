#pragma once
// The library's version, for code that must know it at compile time (#if FLOWTRACK_VERSION_NUMBER
// >= 100) and for the `context.library.version` the client sends. The top-level CMakeLists.txt
// reads these three lines for project(VERSION), so this header is the one place the version lives.

#define FLOWTRACK_VERSION_MAJOR 0
#define FLOWTRACK_VERSION_MINOR 1
#define FLOWTRACK_VERSION_PATCH 0

// MAJOR * 10000 + MINOR * 100 + PATCH: 0.1.0 is 100, 1.2.3 is 10203.
#define FLOWTRACK_VERSION_NUMBER \
  (FLOWTRACK_VERSION_MAJOR * 10000 + FLOWTRACK_VERSION_MINOR * 100 + FLOWTRACK_VERSION_PATCH)

#define FLOWTRACK_VERSION_STRINGIZE_IMPL(x) #x
#define FLOWTRACK_VERSION_STRINGIZE(x) FLOWTRACK_VERSION_STRINGIZE_IMPL(x)
// "MAJOR.MINOR.PATCH", e.g. "0.1.0".
#define FLOWTRACK_VERSION_STRING                                   \
  FLOWTRACK_VERSION_STRINGIZE(FLOWTRACK_VERSION_MAJOR)             \
  "." FLOWTRACK_VERSION_STRINGIZE(FLOWTRACK_VERSION_MINOR) "." \
      FLOWTRACK_VERSION_STRINGIZE(FLOWTRACK_VERSION_PATCH)
