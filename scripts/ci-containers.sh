#!/usr/bin/env bash
# Runs the integration and end-to-end suites in containers, for real, on a machine with no
# registry and no running Docker engine (root required), from the binaries the native build
# (scripts/test.sh, build/) already made: nothing is compiled a second time.
#
#   scripts/ci-containers.sh prepare   start the engine and build everything that does not need
#                                      the binaries; leaves the engine running (CI starts this in
#                                      the background while it builds)
#   scripts/ci-containers.sh run       (after prepare) build the prebuilt images and run the suites
#   scripts/ci-containers.sh stop      stop the engine prepare started (run does this itself)
#   scripts/ci-containers.sh           all three in turn
#
# prepare: starts its own dockerd (data root in a temporary directory; no bridge, no iptables
# changes, no IP forwarding); makes the Debian 12 base image with mmdebstrap + docker import
# (the tarball is kept in ~/.cache/flowtrack for a week, so later runs on this machine skip the
# download); builds the runtime stages and the from-source path's dependency layer (build-deps:
# that path is checked as far as its apt install; `docker compose up --build` users build the rest).
# run: stages the sources and build/ without object files as a build context, builds the
# mock-segment-prebuilt and tests-prebuilt images (docker/Dockerfile.prebuilt) and runs docker/compose.yaml with the CI override
# (network_mode: host: all traffic stays on 127.0.0.1), exiting with the suite's status.
# If the engine cannot start here it says so loudly and exits 0: the native path (the same
# suites against a separately started mock-segment, scripts/shared-endpoint-tests.sh) always runs.
set -euo pipefail
cd "$(dirname "$0")/.."

state=${FLOWTRACK_CI_DOCKER_DIR:-/tmp/flowtrack-ci-docker}
export DOCKER_HOST=unix://$state/docker.sock
docker_bin=/usr/bin/docker  # the engine's own client (another docker may come first in PATH)
base_cache=${XDG_CACHE_HOME:-$HOME/.cache}/flowtrack/bookworm-minbase.tar

export BASE_IMAGE=flowtrack-base:bookworm
export FLOWTRACK_SRC_DIR=$PWD
export FLOWTRACK_PREBUILT_CONTEXT=$state/context
compose=(docker-compose -f docker/compose.yaml -f docker/compose.ci.yaml -p flowtrack-ci)

stop_engine() {
  local pid
  pid=$(cat "$state/dockerd.pid.own" 2>/dev/null || true)
  if [[ -n $pid ]]; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -rf "$state" 2>/dev/null || true
}

skipped() {
  echo "=================================================================="
  echo "CONTAINERS SKIPPED: the Docker engine could not start on this machine"
  tail -5 "$state/dockerd.log" 2>/dev/null || true
  echo "=================================================================="
}

prepare() {
  export DEBIAN_FRONTEND=noninteractive
  local need=() p
  for p in docker.io docker-compose mmdebstrap; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
  done
  if ((${#need[@]})); then
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi

  stop_engine
  mkdir -p "$state/context"
  MOCK_PORT=8080 "${compose[@]}" config -q  # a broken compose file fails here

  /usr/sbin/dockerd --data-root "$state/root" --exec-root "$state/exec" --pidfile "$state/dockerd.pid" \
    --host "$DOCKER_HOST" --bridge=none --iptables=false --ip-forward=false >"$state/dockerd.log" 2>&1 &
  echo $! >"$state/dockerd.pid.own"
  for _ in $(seq 1 150); do
    "$docker_bin" info >/dev/null 2>&1 && break
    kill -0 "$(cat "$state/dockerd.pid.own")" 2>/dev/null || break
    sleep 0.2  # waiting for the engine to answer
  done
  if ! "$docker_bin" info >/dev/null 2>&1; then
    touch "$state/skipped"
    skipped
    return 0
  fi

  if [[ ! -s $base_cache || -n $(find "$base_cache" -mtime +7 2>/dev/null) ]]; then
    echo "containers: making the Debian 12 base image (mmdebstrap)"
    mkdir -p "$(dirname "$base_cache")"
    mmdebstrap --quiet --variant=minbase --format=tar bookworm "$base_cache.tmp" http://deb.debian.org/debian
    mv "$base_cache.tmp" "$base_cache"
  else
    echo "containers: Debian 12 base image from $base_cache"
  fi
  "$docker_bin" import "$base_cache" "$BASE_IMAGE" >/dev/null

  echo "containers: building the runtime stages and the from-source dependency layer"
  # (build-deps is docker/Dockerfile's first stage: the classic builder builds nothing else for it.)
  "$docker_bin" build --quiet --network host --build-arg BASE_IMAGE="$BASE_IMAGE" \
    -f docker/Dockerfile.prebuilt --target test-runtime -t flowtrack/test-runtime:ci docker >/dev/null
  "$docker_bin" build --quiet --network host --build-arg BASE_IMAGE="$BASE_IMAGE" \
    -f docker/Dockerfile --target build-deps -t flowtrack/build-deps:ci . >/dev/null
  touch "$state/prepared"
}

run() {
  if [[ -e $state/skipped ]]; then
    skipped
    stop_engine
    return 0
  fi
  [[ -e $state/prepared ]] || { echo "ci-containers: run 'prepare' first" >&2; return 2; }
  [[ -x build/bin/mock-segment ]] || { echo "ci-containers: no build/bin: run scripts/test.sh first" >&2; return 2; }

  # The build context: the tracked sources, and build/ without what only the compiler needed.
  local context=$FLOWTRACK_PREBUILT_CONTEXT
  rm -rf "$context" && mkdir -p "$context"
  git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$context"
  tar --exclude='*.o' --exclude='*.a' --exclude='.ninja_*' --exclude='mock_segment_fixture' \
    -cf - build | tar -xf - -C "$context"
  rm -f "$context/.dockerignore"  # the from-source context's: it leaves build/ out

  export MOCK_PORT=${MOCK_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
  echo "containers: building the images from build/bin"
  "${compose[@]}" build -q
  echo "containers: running the suites (mock-segment on 127.0.0.1:$MOCK_PORT)"
  local status=0
  "${compose[@]}" up --abort-on-container-exit --exit-code-from tests || status=$?
  "${compose[@]}" down --remove-orphans >/dev/null 2>&1 || true
  echo "containers: suite exit status $status"
  stop_engine
  return "$status"
}

case ${1:-all} in
  prepare) prepare ;;
  run) run ;;
  stop) stop_engine ;;
  all) trap stop_engine EXIT; prepare; run ;;
  *) echo "usage: scripts/ci-containers.sh [prepare|run|stop]" >&2; exit 2 ;;
esac
