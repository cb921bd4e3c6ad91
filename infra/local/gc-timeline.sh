#!/usr/bin/env bash
# The collector's timeline under a load: a fresh Release gateway (Development, the warm-up's rehearsal of 32 devices),
# /readyz plus 3 s, then a gc-collect trace over `anc load --devices N --seconds SECS --interval 0.1 --json`; prints one
# line per collection (pause, promotion, each mark phase's end: infra/local/gc-timeline/Program.cs), the UTC time the
# devices started streaming, and the load's p99 per 100 ms. For docs/measurements/benchmarks.md.
#   infra/local/gc-timeline.sh GATEWAY_BIN_DIR CLI_BIN_DIR OUT_DIR N [SECS]
# Env: GATEWAY_ENV, GATEWAY_ARGS, LOAD_ARGS as for load-run.sh. Needs dotnet-trace
# (dotnet tool install --tool-path /tmp/tools dotnet-trace; DOTNET_TRACE=/tmp/tools/dotnet-trace).
set -euo pipefail
gw=$1 cli=$2 out=$3 n=$4 seconds=${5:-6}
here=$(cd "$(dirname "$0")" && pwd)
trace=${DOTNET_TRACE:-dotnet-trace}
mkdir -p "$out"
dotnet build -c Release "$here/gc-timeline" > "$out/build.log" 2>&1
source "$here/gateway-run.sh"
start_gateway "$gw" "$out"
"$trace" collect -p $pid --profile gc-collect --duration "00:00:00:$(printf %02d $((seconds + 5)))" -o "$out/trace.nettrace" > /dev/null 2>&1 &
tracer=$!
sleep 2
start_load "$cli" "$out" "$n" "$seconds" --interval 0.1
started=$(date -u +%H:%M:%S.%3N)
wait $load || true
wait $tracer || true
dotnet "$here/gc-timeline/bin/Release/net10.0/gc-timeline.dll" "$out/trace.nettrace"
echo "streaming started at $started (UTC)"
echo "p99 per 100 ms: $(grep '"interval"' "$out/load.json" | python3 -c "import json,sys; print(' '.join(str(json.loads(l)['latencyP99Ms']) for l in sys.stdin))")"
