# Dependencies: all from Debian 12 packages (scripts/install-deps.sh).
find_package(Threads REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(ZLIB REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(Boost 1.81 EXACT REQUIRED)   # headers only: Beast's HTTP codec
include(FlowtrackAsio)
