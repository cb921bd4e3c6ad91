#!/usr/bin/env bash
# A fresh Release gateway (Development environment, the warm-up's rehearsal of 32 devices), /readyz plus 3 s, then
# `anc load --devices N --seconds SECS --json`. Prints the summary line. For docs/measurements/benchmarks.md ("Load").
#   infra/local/load-run.sh GATEWAY_BIN_DIR CLI_BIN_DIR OUT_DIR N [SECS]
# Env: GATEWAY_ENV (e.g. "DOTNET_gcServer=1"), GATEWAY_ARGS (extra gateway arguments), LOAD_ARGS (extra `anc load`
# arguments, e.g. "--mode edge --frame-ms 100 --duty-cycle 0.25 --interval 1"), PERF=1 (perf record -g of the gateway,
# 8 s from 5 s into the load, into OUT_DIR/perf.data, with the JIT's perf map: read it with `perf report`).
# Ports: HTTP 5180, silo 11211, gateway 30100, MQTT 1983. The generator runs on the same cores; its CPU is reported.
# OUT_DIR/gc.txt: the gateway's GC over the load (collections per generation, pause seconds, bytes allocated), from
# /metrics before and after, read with the development admin key (ANC_KEY_FILE, default the per-user file).
set -euo pipefail
gw=$1 cli=$2 out=$3 n=$4 seconds=${5:-15}
mkdir -p "$out"
perfmap=()
[[ -n "${PERF:-}" ]] && perfmap=(DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0)
source "$(dirname "$0")/gateway-run.sh"
start_gateway "$gw" "$out" "${perfmap[@]}"
keyfile=${ANC_KEY_FILE:-$HOME/.local/share/anc-orleans/dev-admin-key}
gc() { [[ -r $keyfile ]] && curl -sf -H "Authorization: Bearer $(cat "$keyfile")" http://127.0.0.1:5180/metrics \
  | grep -E '^dotnet_gc_(collections_total|pause_time_seconds_total|heap_total_allocated_bytes_total)' \
  | sed -E 's/\{[^}]*gc_heap_generation="([^"]+)"[^}]*\}/ \1/; s/\{[^}]*\}//' || true; }
gc > "$out/gc-before.txt"
recorder=
if [[ -n "${PERF:-}" ]]; then
  (sleep 5; perf record -F 999 -g -p $pid -o "$out/perf.data" -- sleep 8 > /dev/null 2>&1) &
  recorder=$!
fi
dotnet "$cli/anc.dll" load --url http://127.0.0.1:5180 --devices "$n" --seconds "$seconds" --json ${LOAD_ARGS:-} > "$out/load.json" 2> "$out/load.err" || true
[[ -n "$recorder" ]] && wait "$recorder"
gc > "$out/gc-after.txt"
paste "$out/gc-before.txt" "$out/gc-after.txt" | awk '{ name = $1 (NF == 6 ? " " $2 : ""); before = $(NF == 6 ? 3 : 2); after = $NF; printf "%s %.6g\n", name, after - before }' > "$out/gc.txt"
tail -1 "$out/load.json"
