# Sourced by the load scripts (load-run.sh, gc-timeline.sh, old-to-young.sh): start_gateway GATEWAY_BIN_DIR OUT_DIR [VAR=value ...]
# starts a fresh Release gateway (Development, the warm-up's rehearsal of 32 devices; HTTP 5180, silo 11211, gateway
# 30100, MQTT 1983) with GATEWAY_ENV and GATEWAY_ARGS, its log in OUT_DIR/gateway.log, sets pid, kills it on exit, and
# returns once /readyz answers and 3 s more have passed.
start_gateway() {
  local bin=$1 dir=$2; shift 2
  env ASPNETCORE_ENVIRONMENT=Development "$@" ${GATEWAY_ENV:-} dotnet "$bin/AncOrleans.Gateway.dll" --urls http://127.0.0.1:5180 \
    --Orleans:SiloPort=11211 --Orleans:GatewayPort=30100 --Mqtt:EmbeddedBrokerPort=1983 --Gateway:WarmupDevices=32 ${GATEWAY_ARGS:-} \
    > "$dir/gateway.log" 2>&1 &
  pid=$!
  trap 'kill $pid 2>/dev/null || true' EXIT
  until curl -sf http://127.0.0.1:5180/readyz > /dev/null; do sleep 0.05; kill -0 $pid; done
  sleep 3
}

# start_load CLI_BIN_DIR OUT_DIR N SECS [anc load args...]: `anc load --devices N --seconds SECS --json` against the
# gateway above, in the background (OUT_DIR/load.json and load.err), with LOAD_ARGS last; sets load and returns once its
# devices have connected.
start_load() {
  local cli=$1 dir=$2 n=$3 secs=$4; shift 4
  dotnet "$cli/anc.dll" load --url http://127.0.0.1:5180 --devices "$n" --seconds "$secs" --json "$@" ${LOAD_ARGS:-} \
    > "$dir/load.json" 2> "$dir/load.err" &
  load=$!
  until grep -q connected "$dir/load.err" 2>/dev/null; do sleep 0.002; kill -0 $load; done
}
