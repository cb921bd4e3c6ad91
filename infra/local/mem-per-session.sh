#!/usr/bin/env bash
# Memory per session: a fresh gateway, then rounds of `anc load --devices 100 --seconds 3` (new sessions each round;
# their grains stay activated). After each round a full, compacting GC is induced with dotnet-gcdump (a gcdump
# collects gen2 first), then RSS and the GC heap (from /metrics, after that GC) are read.
#   infra/local/mem-per-session.sh GATEWAY_BIN_DIR CLI_BIN_DIR ROUNDS [anc load args...]
# SECS=N makes each round N seconds long (3 by default). An edge session holds up to its last 64 coefficient sets, one
# made every 100 ms or so while it adapts: 3 s rounds see only the first of them, longer rounds (SECS=30) more.
# Needs dotnet-gcdump (dotnet tool install --tool-path /tmp/tools dotnet-gcdump; GCDUMP=/tmp/tools/dotnet-gcdump).
set -euo pipefail
gw=$1 cli=$2 rounds=$3; shift 3
gcdump=${GCDUMP:-dotnet-gcdump}
# Development, as `dotnet run --project gateway` runs it: the dev admin key that anc load and /metrics use.
ASPNETCORE_ENVIRONMENT=Development nice -n -10 dotnet "$gw/AncOrleans.Gateway.dll" --urls http://127.0.0.1:5180 --Orleans:SiloPort=11211 --Orleans:GatewayPort=30100 \
  --Mqtt:EmbeddedBrokerPort=1983 --Logging:LogLevel:Default=Warning > /tmp/mem-per-session-gateway.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
until curl -sf http://127.0.0.1:5180/readyz > /dev/null; do sleep 0.1; kill -0 $pid; done
measure() {
  "$gcdump" collect -p $pid -o /tmp/mem-per-session.gcdump > /dev/null 2>&1 || true
  sleep 1
  local rss heap
  rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
  heap=$(curl -s -H "Authorization: Bearer $(cat ~/.local/share/anc-orleans/dev-admin-key)" http://127.0.0.1:5180/metrics | awk '/^dotnet_gc_last_collection_heap_size_bytes/ {s += $2} END {print s}')
  echo "sessions $1 rss_kb $rss gc_heap_bytes $heap load $(cut -d' ' -f1 /proc/loadavg)"
}
measure 0
for r in $(seq 1 "$rounds"); do
  nice -n -10 dotnet "$cli/anc.dll" load --url http://127.0.0.1:5180 --devices 100 --seconds "${SECS:-3}" --json "$@" > /dev/null 2>&1 || true
  measure $((r * 100))
done
