#!/usr/bin/env bash
# Network faults as two hosts see them: mock-segment and the client (spool_client runs) each in
# their own network namespace, joined by a veth link and nothing else (no route leaves them, so
# no packet of this test can reach any other network, even with the link down). Under packet
# loss (nftables numgen), a rate limit (tc tbf), a link cut mid-run and a full drop (black
# hole), every event must be delivered or spooled, and spooled events delivered by the next
# run. Everything it made is removed at exit.
# Exit 77 (skip) where namespaces, veth, nft or tc are not available.
set -uo pipefail
bin=$1
ns=ftsrv$$
cns=ftcli$$
client_if=fth$$
peer_if=ftp$$
work=$(mktemp -d)
cleanup() {
  [[ -n ${mock_pid:-} ]] && kill "$mock_pid" 2>/dev/null
  wait 2>/dev/null
  ip netns del "$cns" 2>/dev/null
  ip netns del "$ns" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
skip() { echo "SKIP: $*"; exit 77; }
[[ $(id -u) == 0 ]] || skip "needs root for network namespaces"
command -v nft >/dev/null || skip "nft (nftables) is not installed"
command -v tc >/dev/null || skip "tc (iproute2) is not installed"
ip netns add "$ns" 2>/dev/null || skip "network namespaces are not permitted here"
ip netns add "$cns"
ip netns exec "$cns" ip link add "$client_if" type veth peer name "$peer_if" 2>/dev/null || skip "veth links are not permitted here"
ip netns exec "$cns" ip link set "$peer_if" netns "$ns"
in_client() { ip netns exec "$cns" "$@"; }
in_client ip addr add 10.231.0.1/30 dev "$client_if"
in_client ip link set "$client_if" up
in_client ip link set lo up
ip netns exec "$ns" ip addr add 10.231.0.2/30 dev "$peer_if"
ip netns exec "$ns" ip link set "$peer_if" up
ip netns exec "$ns" ip link set lo up

ip netns exec "$ns" "$bin/mock-segment" --host 10.231.0.2 --port 18080 >"$work/mock.out" 2>&1 </dev/null &
mock_pid=$!
for _ in $(seq 1 200); do grep -q '^listening on ' "$work/mock.out" && break; sleep 0.05; done
url=http://10.231.0.2:18080
in_client curl -fsS "$url/admin/stats" >/dev/null || { echo "FAIL: mock-segment unreachable across the link"; exit 1; }

failures=0
check() {  # name, run tag, expected events
  local name=$1 tag=$2 n=$3 got
  got=$(in_client curl -fsS "$url/admin/events?userId=$tag" | python3 -c 'import json,sys; e=json.load(sys.stdin)["events"]; print(len({x["properties"]["i"] for x in e}))')
  if [[ $got == "$n" ]]; then echo "ok: $name: $got/$n unique events delivered"; else echo "FAIL: $name: $got/$n"; failures=$((failures + 1)); fi
}
run() { in_client "$bin/spool_client" "$work/spool-$1" "$url" "$2" "$3" "$1"; }

# 1. 30% packet loss on the server's side: retransmissions and retries, nothing lost.
ip netns exec "$ns" nft add table inet loss
ip netns exec "$ns" nft add chain inet loss input '{ type filter hook input priority 0; }'
ip netns exec "$ns" nft add rule inet loss input tcp dport 18080 numgen random mod 100 lt 30 drop
run loss 300 20000 >/dev/null
run loss 0 20000 >/dev/null
ip netns exec "$ns" nft delete table inet loss
check "30% packet loss" loss 300

# 2. Rate limit (tbf, 256 kbit/s) on the host's side of the link.
in_client tc qdisc add dev "$client_if" root tbf rate 256kbit burst 16kbit latency 400ms
run rate 500 20000 >/dev/null
run rate 0 20000 >/dev/null
in_client tc qdisc del dev "$client_if" root
check "256 kbit/s rate limit" rate 500

# 3. Link cut mid-run: delivery is slowed (tbf), the link goes down once the first events have
#    arrived; the run spools the rest by its deadline and the next run (link back up) sends them.
accepted() { in_client curl -fsS "$url/admin/stats" | grep -o '"events_accepted":[0-9]*' | cut -d: -f2; }
before=$(accepted)
in_client tc qdisc add dev "$client_if" root tbf rate 512kbit burst 16kbit latency 2s
run cut 1000 4000 >"$work/cut.json" &
cut_pid=$!
for _ in $(seq 1 500); do
  (( $(accepted) > before )) && break
  sleep 0.01  # polling the server for the first delivered batch
done
in_client ip link set "$client_if" down
wait "$cut_pid"
in_client tc qdisc del dev "$client_if" root 2>/dev/null
in_client ip link set "$client_if" up
in_client ip addr replace 10.231.0.1/30 dev "$client_if"
echo "   cut run: $(cat "$work/cut.json")"
run cut 0 5000 >/dev/null
check "link cut mid-run" cut 1000

# 4. Full drop (black hole) for a whole run, close bounded by its deadline.
ip netns exec "$ns" nft add table inet hole
ip netns exec "$ns" nft add chain inet hole input '{ type filter hook input priority 0; }'
ip netns exec "$ns" nft add rule inet hole input tcp dport 18080 drop
start=$(date +%s%N)
first=$(run hole 200 1000)
took_ms=$(( ($(date +%s%N) - start) / 1000000 ))
ip netns exec "$ns" nft delete table inet hole
run hole 0 5000 >/dev/null
echo "   black-hole run: $first (process ${took_ms} ms)"
if (( took_ms > 1300 )); then echo "FAIL: black-holed run took ${took_ms} ms"; failures=$((failures + 1)); fi
check "black hole" hole 200

if ((failures)); then echo "$failures failure(s)"; exit 1; fi
echo "netns faults: all zero-loss checks passed"
