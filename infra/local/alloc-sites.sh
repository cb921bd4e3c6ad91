#!/usr/bin/env bash
# Where a loaded gateway allocates in steady state: a fresh Release gateway (as load-run.sh), `anc load --devices N
# --seconds SECS`, and from 5 s into it an 8 s gc-verbose trace (allocation ticks with stacks), read by
# infra/local/alloc-sites (bytes by type and by allocating site). For docs/measurements/benchmarks.md.
#   infra/local/alloc-sites.sh GATEWAY_BIN_DIR CLI_BIN_DIR OUT_DIR N [SECS] [FRAMES]
# Env: GATEWAY_ENV, GATEWAY_ARGS, LOAD_ARGS as for load-run.sh. Needs dotnet-trace
# (dotnet tool install --tool-path /tmp/tools dotnet-trace; DOTNET_TRACE=/tmp/tools/dotnet-trace).
set -euo pipefail
gw=$1 cli=$2 out=$3 n=$4 seconds=${5:-15} frames=${6:-6}
here=$(cd "$(dirname "$0")" && pwd)
trace=${DOTNET_TRACE:-dotnet-trace}
mkdir -p "$out"
dotnet build -c Release "$here/alloc-sites" > "$out/build.log" 2>&1
source "$here/gateway-run.sh"
start_gateway "$gw" "$out"
start_load "$cli" "$out" "$n" "$seconds"
sleep 5
"$trace" collect -p $pid --profile gc-verbose --duration 00:00:00:08 -o "$out/trace.nettrace" > "$out/trace.log" 2>&1 || true
wait $load || true
tail -1 "$out/load.json"
dotnet "$here/alloc-sites/bin/Release/net10.0/alloc-sites.dll" "$out/trace.nettrace" "$frames"
