#!/usr/bin/env bash
# Starts a fresh gateway from a build (its bin folder), waits for /readyz, then streams N simulated devices for
# T seconds while sampling the gateway's RSS every 10 s; keeps sampling 30 s after the run. Prints the time to
# ready, then RSS per sample, then the sim's summary line. Used for docs/measurements/benchmarks.md ("Memory").
#   infra/local/rss-run.sh GATEWAY_BIN_DIR CLI_BIN_DIR DEVICES SECONDS OUT_DIR [sim args...]
# Ports (away from the defaults other runs use): HTTP 5180, silo 11211, gateway 30100, MQTT 1983.
set -euo pipefail
gw=$1 cli=$2 devices=$3 seconds=$4 out=$5; shift 5
mkdir -p "$out"
start=$(date +%s.%N)
nice -n -10 dotnet "$gw/AncOrleans.Gateway.dll" --urls http://127.0.0.1:5180 --Orleans:SiloPort=11211 --Orleans:GatewayPort=30100 \
  --Mqtt:EmbeddedBrokerPort=1983 --Logging:LogLevel:Default=Warning > "$out/gateway.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
until curl -sf http://127.0.0.1:5180/readyz > /dev/null; do sleep 0.1; kill -0 $pid; done
ready=$(date +%s.%N)
echo "ready_seconds $(echo "$ready - $start" | bc)" | tee "$out/ready.txt"
rss() { awk '/VmRSS/ {print $2}' /proc/$pid/status; }
( t0=$(date +%s); while kill -0 $pid 2>/dev/null; do echo "$(( $(date +%s) - t0 )) $(rss) $(cut -d' ' -f1-3 /proc/loadavg)"; sleep 10; done ) > "$out/rss.tsv" &
sampler=$!
nice -n -10 dotnet "$cli/anc.dll" sim --url http://127.0.0.1:5180 --mqtt-port 1983 --devices "$devices" --scenario hum --seconds "$seconds" --json "$@" > "$out/sim.json" 2> "$out/sim.err" || true
sleep 30
kill $sampler 2>/dev/null || true
cat "$out/rss.tsv"
tail -1 "$out/sim.json"
