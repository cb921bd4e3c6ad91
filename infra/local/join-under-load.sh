#!/usr/bin/env bash
# Issue 13's last cold-start case: a fresh worker silo joins a cluster under load (an ECS scale-out) and serves the
# sessions placed on it as well as the warm silos serve theirs. docs/measurements/benchmarks.md records its runs.
#   1. infra/local/cluster.sh up --silos 1: DynamoDB Local, the gateway and one worker, each in its own namespace
#      (published apps, the tasks' environment, DynamoDB clustering and state);
#   2. a warm-up `anc sim` (the running silos' first devices), then `anc load` of LOAD_DEVICES devices for the rest of
#      the run, on the gateway and the worker (--interval 1: each second's p99, so the join's effect on them shows);
#   3. JOIN_AT s into the load, `cluster.sh add`: a fresh silo process; time from its start to Active in /v1/cluster;
#   4. at once, `anc sim` of SIM_DEVICES new devices on hum: their sessions are placed by the resource-optimised
#      placement, which favours the idle newcomer; each session's silo is read from the silos' logs ("Session <id>:
#      noise …", logged by the silo hosting it); per-device lost, late and p99, for the new silo's sessions and the others.
# Run as root. Exit 0 only if the new silo hosted at least one session and its sessions lost 0 frames with ≤ 0.5 % late
# (the issue's cold-start bound).
#   infra/local/join-under-load.sh [OUT_DIR]   (env: LOAD_DEVICES=20 SIM_DEVICES=8 JOIN_AT=8 SECONDS_=20 NO_BUILD=1)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/out/join-under-load}
load_devices=${LOAD_DEVICES:-20} sim_devices=${SIM_DEVICES:-8} join_at=${JOIN_AT:-8} seconds=${SECONDS_:-20}
# state, gw, cluster(), the cluster down on exit (logs kept in OUT/logs), anc().
source "$root/infra/local/cluster-run.sh"

cluster up --silos 1 ${NO_BUILD:+--no-build} --env Placement__LocalSiloPreferenceMargin=0 \
  --env "Logging__Console__TimestampFormat=HH:mm:ss.fff " | tee "$out/up.log"
key=$(cat "$state/admin-key")
api() { curl -sf -m 5 -H "Authorization: Bearer $key" "$gw$1"; }
active() { api /v1/cluster | jq -r '.silos[] | select(.status == "Active") | .address' | grep -c "^10\.77\.0\.$((10 + $1)):11111@" || true; }

anc sim --url "$gw" --admin-key "$key" --devices 4 --scenario hum --seconds 8 --json > "$out/warmup.json" 2> "$out/warmup.err" || true
echo "warm-up sim: $(tail -1 "$out/warmup.json" | jq -c '{framesLost, framesLate, latencyP99Ms}')"

load_seconds=$(( join_at + 40 + seconds ))  # enough for a join of ≤ 40 s and the sim after it
anc load --url "$gw" --admin-key "$key" --devices "$load_devices" --seconds "$load_seconds" --interval 1 --json \
  > "$out/load.json" 2> "$out/load.err" &
load=$!
until grep -q connected "$out/load.err" 2>/dev/null; do sleep 0.1; kill -0 $load || { cat "$out/load.err"; exit 1; }; done
load_start=$(date +%s.%N)
sleep "$join_at"

read -r ns address pid < <(cluster add)
t0=$(date +%s.%N)
n=${ns#anc-s}
echo "$ns ($address, pid $pid) started $(echo "$t0 - $load_start" | bc) s into the load of $load_devices devices"
ready=""
while [[ -z $ready ]]; do
  now=$(date +%s.%N)
  [[ $(active "$n") == 1 ]] && ready=$(echo "$now - $t0" | bc)
  (( $(echo "$now - $t0 > 60" | bc) )) && break
  kill -0 "$pid" || { echo "FAIL: $ns exited: $state/logs/$ns.log"; exit 1; }
  sleep 0.1
done
[[ -n $ready ]] || { echo "FAIL: $ns was not Active within 60 s"; exit 1; }
echo "$ns Active after $ready s (process start to Active in /v1/cluster); its warm-up: $(grep -ho 'Silo warm-up: .*' "$state/logs/$ns.log" | head -1 || echo 'not logged')"
joined=$(echo "$(date +%s.%N) - $load_start" | bc)

anc sim --url "$gw" --admin-key "$key" --devices "$sim_devices" --scenario hum --seconds "$seconds" --json > "$out/sim.json" 2> "$out/sim.err" || true
echo "sim of $sim_devices new devices, started at once: $(tail -1 "$out/sim.json" | jq -c '{framesLost, framesLate, latencyP99Ms, meanReductionDb}')"
sim_id=$(jq -r 'select(.device) | .device' "$out/sim.json" | head -1 | sed 's/-[0-9]*$//')
# Which silo logged each session's first noise label: that silo hosts it.
host() { local f; for f in "$state"/logs/anc-*.log; do grep -q "Session $1: noise" "$f" && { basename "$f" .log; return; }; done; echo unknown; }
fails=0 on_new=0 new_frames=0 new_lost=0 new_late=0
while read -r device lost late p99 db sent; do
  where=$(host "$device")
  echo "  $device on $where: lost $lost, late $late of $sent, p99 $p99 ms, $db dB"
  if [[ $where == "$ns" ]]; then
    on_new=$((on_new + 1)); new_frames=$((new_frames + sent)); new_lost=$((new_lost + lost)); new_late=$((new_late + late))
  fi
done < <(jq -r 'select(.device) | "\(.device) \(.framesLost) \(.framesLate) \(.latencyP99Ms) \(.reductionDb) \(.framesSent)"' "$out/sim.json")
wait "$load" || true
echo "load of $load_devices devices over the join: $(grep '"summary"' "$out/load.json" | jq -c '{framesLost, framesLate, latencyP99Ms, gatewayCpuPercent}')"
echo "  per-second p99 ms (the join at ${join_at} s, Active at ${joined%.*} s): $(jq -r 'select(.interval) | .latencyP99Ms' "$out/load.json" | head -$(( ${joined%.*} + seconds + 5 )) | tr '\n' ' ')"
echo "sessions on the new silo: $on_new of $sim_devices; their frames: $new_lost lost, $new_late late of $new_frames"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
(( on_new > 0 )) || { echo "FAIL: the new silo hosted none of the sim's sessions"; fails=1; }
(( new_lost == 0 )) || { echo "FAIL: the new silo's sessions lost $new_lost frames"; fails=1; }
(( new_frames == 0 || new_late * 200 <= new_frames )) || { echo "FAIL: the new silo's sessions had $new_late late of $new_frames (> 0.5 %)"; fails=1; }
exit "$fails"
