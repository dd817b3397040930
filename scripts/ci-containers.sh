#!/usr/bin/env bash
# Runs the integration and end-to-end suites in containers, for real, on a machine with no
# registry and no running Docker engine (root required):
#   1. starts its own dockerd (data root in a temporary directory; no bridge, no iptables
#      changes, no IP forwarding) and stops it by PID at the end, whatever happens;
#   2. makes the Debian 12 base image with mmdebstrap + docker import;
#   3. builds the images with host networking and runs docker/compose.yaml with the CI override
#      (network_mode: host: all traffic stays on 127.0.0.1), exiting with the suite's status.
# If the engine cannot start here it says so loudly and exits 0: the native path (the same
# suites against a separately started mock-segment, scripts/shared-endpoint-tests.sh) always runs.
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBIAN_FRONTEND=noninteractive
need=()
for p in docker.io docker-compose mmdebstrap; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if ((${#need[@]})); then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

work=$(mktemp -d /tmp/flowtrack-containers.XXXXXX)
export DOCKER_HOST=unix://$work/docker.sock
docker_bin=/usr/bin/docker  # the engine's own client (another docker may come first in PATH)
dockerd_pid=
stop_engine() {
  if [[ -n $dockerd_pid ]]; then
    kill "$dockerd_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$dockerd_pid" 2>/dev/null || true
  fi
  rm -rf "$work" 2>/dev/null || true
}
trap stop_engine EXIT

docker-compose -f docker/compose.yaml -f docker/compose.ci.yaml config -q  # a broken compose file fails here

/usr/sbin/dockerd --data-root "$work/root" --exec-root "$work/exec" --pidfile "$work/dockerd.pid" \
  --host "$DOCKER_HOST" --bridge=none --iptables=false --ip-forward=false >"$work/dockerd.log" 2>&1 &
dockerd_pid=$!
for _ in $(seq 1 150); do
  "$docker_bin" info >/dev/null 2>&1 && break
  kill -0 "$dockerd_pid" 2>/dev/null || break
  sleep 0.2  # waiting for the engine to answer
done
if ! "$docker_bin" info >/dev/null 2>&1; then
  echo "=================================================================="
  echo "CONTAINERS SKIPPED: the Docker engine could not start on this machine"
  tail -5 "$work/dockerd.log" || true
  echo "=================================================================="
  exit 0
fi

echo "containers: making the Debian 12 base image (mmdebstrap)"
mmdebstrap --quiet --variant=minbase --format=tar bookworm "$work/bookworm.tar" http://deb.debian.org/debian
"$docker_bin" import "$work/bookworm.tar" flowtrack-base:bookworm >/dev/null
rm -f "$work/bookworm.tar"

export BASE_IMAGE=flowtrack-base:bookworm
export MOCK_PORT=${MOCK_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
compose=(docker-compose -f docker/compose.yaml -f docker/compose.ci.yaml -p flowtrack-ci)
echo "containers: building images"
"${compose[@]}" build
echo "containers: running the suites (mock-segment on 127.0.0.1:$MOCK_PORT)"
status=0
"${compose[@]}" up --abort-on-container-exit --exit-code-from tests || status=$?
"${compose[@]}" down --remove-orphans >/dev/null 2>&1 || true
echo "containers: suite exit status $status"
exit "$status"
