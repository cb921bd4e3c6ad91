#!/usr/bin/env bash
# The black-box check of the deployment's configuration (docs/measurements/deploy.md records its runs):
#   1. infra/local/cluster.sh up --silos 3 (published apps, tasks' environment, each silo in its own namespace);
#   2. GET /v1/cluster lists 4 silos, each advertising a non-loopback address (from its metadata endpoint);
#   3. a warm-up `anc sim` (cold worker silos answer slowly for their first seconds: docs/reliability.md), then the
#      same sim as below with no fault, as the baseline of this machine's load;
#   4. `anc sim` across the cluster; SIGTERM SIGTERM_AT s in to the worker silo hosting most of its sessions: time until it leaves the active set and
#      until it exits (within Orleans__ShutdownTimeout, 20 s), and the frames lost (expected 0);
#   5. `anc sim` again; SIGKILL to the busiest remaining worker: time until the cluster drops it, and the frames lost (docs/reliability.md:
#      a session on the killed silo loses about the detection time, ~118 frames at ProbeTimeout 1 s × 3).
# Run as root. Exit code 0 only if 2 and 4 hold (4 silos non-loopback; the terminated silo exits 0 within its
# timeout having left, and no frame lost). Step 5 is measured and reported, not asserted.
#   infra/local/cluster-check.sh [OUT_DIR]     (env: DEVICES=6 SECONDS_=20 SIGTERM_AT=6 NO_BUILD=1 to reuse the apps,
#                                                CLUSTER_ENV="K=V ..." more settings for every app)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/out/cluster-check}
devices=${DEVICES:-6} seconds=${SECONDS_:-20} at=${SIGTERM_AT:-6}
# state, gw, cluster(), the cluster down on exit (logs kept in OUT/logs), anc().
source "$root/infra/local/cluster-run.sh"

started=$(date +%s.%N)
cluster up --silos 3 ${NO_BUILD:+--no-build} --env Placement__LocalSiloPreferenceMargin=0 \
  --env "Logging__Console__TimestampFormat=HH:mm:ss.fff " $(for kv in ${CLUSTER_ENV:-}; do printf -- '--env %s ' "$kv"; done) | tee "$out/up.log"
echo "up in $(echo "$(date +%s.%N) - $started" | bc) s (publish included unless NO_BUILD)"
key=$(cat "$state/admin-key")
api() { curl -sf -m 5 -H "Authorization: Bearer $key" "$gw$1"; }
fail=0

# 2. Four silos, none on loopback.
api /v1/cluster | tee "$out/cluster.json" | jq -r '.silos[] | "  \(.address)  \(.name)  \(.status)"'
count=$(jq '.silos | length' "$out/cluster.json")
loopback=$(jq '[.silos[].address | select(test("^127\\.|^\\[?::1\\]?:"))] | length' "$out/cluster.json")
echo "silos: $count, advertising loopback: $loopback"
[[ $count == 4 && $loopback == 0 ]] || { echo "FAIL: expected 4 silos on non-loopback addresses"; fail=1; }

# /v1/cluster's addresses read "10.77.0.11:11111@<generation>".
active() { api /v1/cluster | jq -r '.silos[].address' | grep -c "^10\.77\.0\.$((10 + $1)):11111@" || true; }
summary() { tail -1 "$1" | jq -c '{framesLost, framesLate, meanReductionDb, latencyP99Ms}'; }
per_device() { jq -r 'select(.device) | "\(.device) lost \(.framesLost) late \(.framesLate) dB \(.reductionDb)"' "$1" 2>/dev/null \
  || grep -v '^{"devices' "$1"; }

# 3. Warm-up.
anc sim --url "$gw" --admin-key "$key" --devices "$devices" --scenario hum --seconds 8 --json > "$out/warmup.json" 2> "$out/warmup.err" || true
echo "warm-up: $(summary "$out/warmup.json")"

# 3b. The same sim with no fault: what this machine's load alone costs (frames late or lost without any failure).
anc sim --url "$gw" --admin-key "$key" --devices "$devices" --scenario hum --seconds "$seconds" --json > "$out/baseline.json" 2> "$out/baseline.err" || true
echo "baseline (no fault): $(summary "$out/baseline.json")"
per_device "$out/baseline.json" | sed 's/^/  /'

# The worker silo hosting most of the running sim's sessions, among silos "$@" (a silo logs a session's first noise
# label ~5 s into its audio; the running sim is the one whose prefix no earlier output names). Prints "silo count".
busiest() {
  local known prefix n
  known=$(cat "$out"/*.json 2>/dev/null | jq -r 'select(.device) | .device' 2>/dev/null | sed 's/-[0-9]*$//' | sort -u)
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    prefix=$(grep -ho "Session sim-[0-9a-f]*-[0-9]*: noise" "$state"/logs/anc-*.log | sed 's/^Session //; s/-[0-9]*: noise$//' \
      | sort -u | grep -vxF "${known:-none}" | tail -1 || true)
    [[ -n $prefix ]] && break
    sleep 0.5
  done
  for n in "$@"; do
    echo "$n $( [[ -n $prefix ]] && grep -ho "Session $prefix-[0-9]*: noise" "$state/logs/anc-s$n.log" | sort -u | wc -l || echo 0)"
  done | sort -k2,2nr -k1,1n | head -1
}

# The gateway's frame counters (resent calls, dropped frames) from /metrics.
counters() { { api /metrics || true; } | grep -iE '^frames_?(resent|dropped)' | sed 's/{.*}//' | awk '{print $1"="$2}' | tr '\n' ' ' || true; }

# 4. SIGTERM, under a sim, to the worker silo hosting most of its sessions (a silo with none would prove nothing).
anc sim --url "$gw" --admin-key "$key" --devices "$devices" --scenario hum --seconds "$seconds" --json > "$out/sigterm.json" 2> "$out/sigterm.err" &
sim=$!
before=$(counters)
sleep "$at"
read -r term hosted < <(busiest 1 2 3)
echo "SIGTERM to silo $term, hosting $hosted of the sim's $devices sessions"
pid=$(cat "$state/pids/anc-s$term")
t0=$(date +%s.%N)
kill -TERM "$pid"
left="" exited=""
while [[ -z $left || -z $exited ]]; do
  now=$(date +%s.%N)
  [[ -z $left && $(active "$term") == 0 ]] && left=$(echo "$now - $t0" | bc)
  [[ -z $exited ]] && ! kill -0 "$pid" 2>/dev/null && exited=$(echo "$now - $t0" | bc)
  (( $(echo "$now - $t0 > 40" | bc) )) && break
  sleep 0.1
done
wait "$sim" || true
echo "SIGTERM silo $term: left the active set after ${left:-never} s, process gone after ${exited:-never} s"
echo "sim across it: $(summary "$out/sigterm.json")"
per_device "$out/sigterm.json" | sed 's/^/  /'
# Which sessions moved, and how (migrated with their state, or restored from a checkpoint).
{ grep -h "Evacuated" "$state/logs/anc-s$term.log" || echo "silo $term evacuated nothing"; } | sed "s/^ */  silo $term: /"
sim_id=$(jq -r 'select(.device) | .device' "$out/sigterm.json" 2>/dev/null | head -1 | sed 's/-[0-9]*$//')
[[ -n $sim_id ]] && grep -h "Session $sim_id-[0-9]* \(migrated\|restored\)" "$state"/logs/anc-*.log | sed 's/^ */  /; s/ with its state.*//' || true
echo "  gateway counters before: ${before:-none}; after: $(counters)"
# Why a frame was lost, as the gateway saw it (each session's summary: its last error event).
sleep 2
[[ -n $sim_id ]] && api "/v1/analytics?limit=200" | jq -r --arg p "$sim_id-" \
  '.[] | select((.deviceId | startswith($p)) and .framesLost > 0) | "  \(.deviceId): gateway lost \(.framesLost), silo moves \(.siloMoves), last error: \(.lastError)"' || true
lost=$(tail -1 "$out/sigterm.json" | jq '.framesLost')
[[ -n $exited && $(echo "$exited <= 20" | bc) == 1 && -n $left ]] || { echo "FAIL: silo $term did not leave within its 20 s shutdown timeout"; fail=1; }
[[ $lost == 0 ]] || { echo "FAIL: $lost frames lost across the SIGTERM"; fail=1; }
[[ $hosted -gt 0 ]] || { echo "FAIL: silo $term hosted none of the sim's sessions: the SIGTERM moved no live session"; fail=1; }

# 5. SIGKILL, under a sim, to the remaining worker silo hosting most of its sessions.
anc sim --url "$gw" --admin-key "$key" --devices "$devices" --scenario hum --seconds "$seconds" --json > "$out/sigkill.json" 2> "$out/sigkill.err" &
sim=$!
sleep "$at"
others=$(printf '%s\n' 1 2 3 | grep -vx "$term" | tr '\n' ' ')
read -r victim killed_hosted < <(busiest $others)
echo "SIGKILL to silo $victim, hosting $killed_hosted of the sim's $devices sessions"
t0=$(date +%s.%N)
kill -KILL "$(cat "$state/pids/anc-s$victim")"
dropped=""
while [[ -z $dropped ]]; do
  now=$(date +%s.%N)
  [[ $(active "$victim") == 0 ]] && dropped=$(echo "$now - $t0" | bc)
  (( $(echo "$now - $t0 > 60" | bc) )) && break
  sleep 0.1
done
wait "$sim" || true
echo "SIGKILL silo $victim: dropped from the active set after ${dropped:-never} s"
echo "sim across it: $(summary "$out/sigkill.json")"
per_device "$out/sigkill.json" | sed 's/^/  /'
api /v1/cluster | jq -r '"silos left: \(.silos | length)"'
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$fail"
