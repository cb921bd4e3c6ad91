#!/usr/bin/env bash
# What the workstation collector's card marking scans under a load: a fresh Release gateway (gateway-run.sh), then
# `anc load --devices N --seconds SECS` and, AT seconds into it, a walk of the gateway's heap (suspended meanwhile) that
# lists the older objects pointing at younger ones by type and field (infra/local/old-to-young/Program.cs). For
# docs/measurements/benchmarks.md.
#   infra/local/old-to-young.sh GATEWAY_BIN_DIR CLI_BIN_DIR OUT_DIR N [SECS] [AT]
# Env: GATEWAY_ENV, GATEWAY_ARGS, LOAD_ARGS as for load-run.sh. Run as root (the walk attaches with ptrace).
set -euo pipefail
gw=$1 cli=$2 out=$3 n=$4 seconds=${5:-12} at=${6:-8}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
dotnet build -c Release "$here/old-to-young" > "$out/build.log" 2>&1
source "$here/gateway-run.sh"
start_gateway "$gw" "$out"
start_load "$cli" "$out" "$n" "$seconds"
sleep "$at"
dotnet "$here/old-to-young/bin/Release/net10.0/old-to-young.dll" $pid 40 | tee "$out/old-to-young.txt"
wait $load || true
