#!/usr/bin/env bash
# A start-up burst: a fresh gateway from a build (Development, nice -10, as the soak runs it), /readyz, 3 s, then 20
# devices starting together for 12 s, one JSON line per second (p50, p99, lost, late, gateway CPU and RSS), and the
# gateway's GC counts before and after. For docs/measurements/benchmarks.md ("Start-up burst").
#   infra/local/startup-burst.sh GATEWAY_BIN_DIR CLI_BIN_DIR [extra gateway args...]   (env is passed to the gateway)
# Ports: HTTP 5180, silo 11211, gateway 30100, MQTT 1983.
set -u
gw=$1 cli=$2; shift 2
key() { cat ~/.local/share/anc-orleans/dev-admin-key; }
gc() { curl -s -H "Authorization: Bearer $(key)" http://127.0.0.1:5180/metrics | grep -E '^dotnet_gc_(collections|pause)' | sed 's/otel_scope_name="System.Runtime",//'; }
ASPNETCORE_ENVIRONMENT=Development nice -n -10 dotnet "$gw/AncOrleans.Gateway.dll" --urls http://127.0.0.1:5180 --Orleans:SiloPort=11211 \
  --Orleans:GatewayPort=30100 --Mqtt:EmbeddedBrokerPort=1983 --Logging:LogLevel:Default=Warning "$@" > /tmp/startup-burst-gateway.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
until curl -sf http://127.0.0.1:5180/readyz > /dev/null; do sleep 0.2; kill -0 $pid || exit 1; done
sleep 3
echo "GC before:"; gc
nice -n -10 dotnet "$cli/anc.dll" load --url http://127.0.0.1:5180 --devices 20 --seconds 12 --interval 1 --json
echo "GC after:"; gc
