#!/usr/bin/env bash
# Installs the Debian 12 packages flowtrack needs to build and test. Idempotent: installs only
# what is missing, in ONE apt-get call with --no-install-recommends (a later install of
# libasio-dev with recommends would swap Boost 1.81 back to 1.74; see docs/BUILDING.md).
set -euo pipefail

# ccache and lld speed up rebuilds and links (cmake/FlowtrackBuildSpeed.cmake); libclang-rt-14-dev
# holds the sanitizer and libFuzzer runtimes (asan and tsan presets).
packages=(
  build-essential clang clang-tidy cmake ninja-build pkg-config ccache lld libclang-rt-14-dev
  libasio-dev libboost1.81-dev nlohmann-json3-dev libgtest-dev libgmock-dev
  libssl-dev zlib1g-dev libcli11-dev libbenchmark-dev
  openssl curl python3 ca-certificates nftables iproute2
)
# Optional extras asked for by name: "chromium" for the live-page browser test, "gnuplot-nox"
# for the benchmark plot (bench/plot.sh).
packages+=("$@")

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
