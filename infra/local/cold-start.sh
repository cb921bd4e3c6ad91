#!/usr/bin/env bash
# A fresh gateway from a build (its bin folder), timed from process start to /readyz, then at once
# `anc sim --devices 4 --scenario hum --seconds 20` (WebSocket, or the sim args given). Prints the time to ready
# and the sim's summary. For docs/measurements/benchmarks.md ("Cold start").
#   infra/local/cold-start.sh GATEWAY_BIN_DIR CLI_BIN_DIR OUT_DIR [extra sim args...]
# Env: GATEWAY_ENV (e.g. "DOTNET_TieredPGO=0"), GATEWAY_ARGS (extra gateway arguments).
# Ports: HTTP 5180, silo 11211, gateway 30100, MQTT 1983.
set -euo pipefail
gw=$1 cli=$2 out=$3; shift 3
mkdir -p "$out"
start=$(date +%s.%N)
# Development, as `dotnet run --project gateway` (launchSettings) runs it: the dev admin key the sim reads.
env ASPNETCORE_ENVIRONMENT=Development ${GATEWAY_ENV:-} nice -n -10 dotnet "$gw/AncOrleans.Gateway.dll" --urls http://127.0.0.1:5180 --Orleans:SiloPort=11211 --Orleans:GatewayPort=30100 \
  --Mqtt:EmbeddedBrokerPort=1983 ${GATEWAY_ARGS:-} > "$out/gateway.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
until curl -sf http://127.0.0.1:5180/readyz > /dev/null; do sleep 0.05; kill -0 $pid; done
ready=$(date +%s.%N)
echo "ready_seconds $(echo "$ready - $start" | bc) load $(cut -d' ' -f1 /proc/loadavg)"
nice -n -10 dotnet "$cli/anc.dll" sim --url http://127.0.0.1:5180 --mqtt-port 1983 --devices 4 --scenario hum --seconds 20 --json "$@" > "$out/sim.json" 2> "$out/sim.err" || true
tail -1 "$out/sim.json"
grep -h "Warm-up" "$out/gateway.log" | sed 's/^/  /' || true
echo "load after $(cut -d' ' -f1-3 /proc/loadavg)"
