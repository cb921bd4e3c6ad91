#!/usr/bin/env bash
# A local cluster that behaves like the ECS deployment: DynamoDB Local, N worker silos and the gateway, each in its
# own network namespace with its own address on a private bridge, started from the published apps
# (infra/docker/build.sh) with the tasks' environment (infra/docker/{gateway,silo}.env) and the production
# configuration: DynamoDB clustering and state, production auth (an admin key), no Orleans:AdvertisedIPAddress.
# Like an ECS agent, each namespace answers the task metadata endpoint v4 on its own loopback
# (ECS_CONTAINER_METADATA_URI_V4), so every silo finds the address it advertises the way a task does.
#
#   infra/local/cluster.sh up [--silos N] [--no-build] [--env KEY=VALUE]...   (root: creates namespaces; N defaults to 2;
#                                                          --env adds a setting to every app, e.g. Placement__LocalSiloPreferenceMargin=0)
#   infra/local/cluster.sh add [--env KEY=VALUE]...   (one more worker silo, a fresh process, into the running cluster:
#                                                          a scale-out; prints its namespace, address and pid)
#   infra/local/cluster.sh down
#   infra/local/cluster.sh status
#
# Addresses (10.77.0.0/24, only inside the namespaces made here, and the bridge):
#   bridge ancbr0 10.77.0.1 (root namespace)   anc-ddb 10.77.0.2 (DynamoDB Local :8000)
#   anc-gw 10.77.0.10 (gateway: HTTP :8080, silo :11111, Orleans gateway :30000)   anc-s1.. 10.77.0.11.. (silos)
# State (pids, logs, the admin key): out/cluster/ (ANC_CLUSTER_DIR). The gateway: http://10.77.0.10:8080.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
state=${ANC_CLUSTER_DIR:-$root/out/cluster}
bridge=ancbr0 net=10.77.0 metadata_port=51679
ddb_ns=anc-ddb gw_ns=anc-gw

usage() { echo "usage: infra/local/cluster.sh up [--silos N] [--no-build] [--env KEY=VALUE]... | add [--env KEY=VALUE]... | down | status" >&2; exit 2; }
extra_env=()

# A namespace NAME with address ADDR on the bridge (veth pair: v-NAME in the root namespace, eth0 inside).
make_ns() {
  local name=$1 addr=$2 host_end="v-${1#anc-}"
  ip netns add "$name"
  ip link add "$host_end" type veth peer name eth0 netns "$name"
  ip link set "$host_end" master "$bridge" up
  ip -n "$name" addr add "$addr/24" dev eth0
  ip -n "$name" link set eth0 up
  ip -n "$name" link set lo up
}

# The ECS agent's part: ${ECS_CONTAINER_METADATA_URI_V4} answers the container's metadata, whose
# Networks[0].IPv4Addresses[0] is the task's address (docs/deploy.md). Served on the namespace's own loopback.
start_metadata() {
  local name=$1 addr=$2 dir="$state/metadata/$1"
  mkdir -p "$dir/v4"
  cat > "$dir/v4/$name" <<EOF
{ "Name": "$name", "DesiredStatus": "RUNNING", "KnownStatus": "RUNNING", "Type": "NORMAL",
  "Networks": [ { "NetworkMode": "awsvpc", "IPv4Addresses": [ "$addr" ], "AttachmentIndex": 0, "IPv4SubnetCIDRBlock": "$net.0/24" } ] }
EOF
  ip netns exec "$name" python3 -m http.server "$metadata_port" --bind 127.0.0.1 --directory "$dir" > "$state/logs/metadata-$name.log" 2>&1 &
  echo $! > "$state/pids/metadata-$name"
}

# KEY=VALUE lines of an env file, without comments.
env_file() { grep -v '^\s*#' "$1" | grep -v '^\s*$'; }

# The Dockerfile's ENV lines (the image's own environment).
dockerfile_env() { sed -n 's/^ENV //p' "$1"; }

# Runs APP (gateway|silo) in namespace NAME with the task environment plus the local deployment's values.
start_app() {
  local app=$1 name=$2 dll=$3
  local -a env_args
  mapfile -t env_args < <(dockerfile_env "$root/infra/docker/$app.Dockerfile"; env_file "$root/infra/docker/$app.env")
  env_args+=(
    "ECS_CONTAINER_METADATA_URI_V4=http://127.0.0.1:$metadata_port/v4/$name"
    "Orleans__ClusterId=anc-local-cluster"
    "DynamoDB__ServiceUrl=http://$net.2:8000"
    "DynamoDB__TablePrefix=$(cat "$state/table-prefix")"
  )
  [[ $app == gateway ]] && env_args+=("Auth__AdminKey=$(cat "$state/admin-key")")
  env_args+=("${extra_env[@]}")
  # The published folder is the working directory (WORKDIR /app in the image): appsettings.json is read from it.
  (cd "$(dirname "$dll")" && exec ip netns exec "$name" env -u ASPNETCORE_ENVIRONMENT -u DOTNET_ENVIRONMENT "${env_args[@]}" \
     dotnet "$dll") > "$state/logs/$name.log" 2>&1 &
  echo $! > "$state/pids/$name"
}

wait_tcp() {  # NS ADDR PORT SECONDS
  for _ in $(seq $(( $4 * 5 ))); do
    ip netns exec "$1" bash -c "exec 3<>/dev/tcp/$2/$3" 2>/dev/null && return 0
    sleep 0.2
  done
  return 1
}

up() {
  local silos=2 build=true
  while (( $# )); do
    case $1 in
      --silos) silos=${2:?--silos needs a number}; shift 2 ;;
      --no-build) build=false; shift ;;
      --env) [[ ${2:-} == *=* ]] || { echo "cluster.sh: --env needs KEY=VALUE" >&2; exit 2; }; extra_env+=("$2"); shift 2 ;;
      *) usage ;;
    esac
  done
  [[ $silos =~ ^[0-9]+$ ]] && (( silos >= 1 && silos <= 20 )) || { echo "cluster.sh: --silos must be 1..20, not '$silos'" >&2; exit 2; }
  (( EUID == 0 )) || { echo "cluster.sh: must run as root (it creates network namespaces)" >&2; exit 1; }
  if ip link show "$bridge" >/dev/null 2>&1; then echo "cluster.sh: already up (infra/local/cluster.sh down first)" >&2; exit 1; fi
  mkdir -p "$state/pids" "$state/logs"
  rm -f "$state"/pids/* "$state"/logs/*
  # For `add`: a later silo gets the same settings.
  printf '%s\n' "${extra_env[@]}" | grep -v '^$' > "$state/extra-env" || true

  local gw_dll="$state/apps/gateway/AncOrleans.Gateway.dll" silo_dll="$state/apps/silo/AncOrleans.Silo.dll"
  if $build || [[ ! -f $gw_dll || ! -f $silo_dll ]]; then
    echo "publishing the gateway and the silo (infra/docker/build.sh)"
    "$root/infra/docker/build.sh" gateway "$state/apps/gateway" >/dev/null
    "$root/infra/docker/build.sh" silo "$state/apps/silo" >/dev/null
  fi
  local emulator
  emulator=$("$root/infra/local/dynamodb-local.sh" --install)
  [[ -f $state/admin-key ]] || { head -c 32 /dev/urandom | base64 | tr -d '/+=' > "$state/admin-key"; chmod 600 "$state/admin-key"; }
  echo "cluster-$(date +%s)-" > "$state/table-prefix"

  ip link add "$bridge" type bridge
  ip addr add "$net.1/24" dev "$bridge"
  ip link set "$bridge" up

  make_ns "$ddb_ns" "$net.2"
  (cd "$emulator" && exec ip netns exec "$ddb_ns" java -Djava.library.path=./DynamoDBLocal_lib -jar DynamoDBLocal.jar -inMemory -port 8000) \
    > "$state/logs/dynamodb.log" 2>&1 &
  echo $! > "$state/pids/dynamodb"
  wait_tcp "$ddb_ns" "$net.2" 8000 60 || { echo "DynamoDB Local did not start: $state/logs/dynamodb.log" >&2; exit 1; }
  echo "DynamoDB Local on $net.2:8000 (namespace $ddb_ns)"

  make_ns "$gw_ns" "$net.10"
  start_metadata "$gw_ns" "$net.10"
  start_app gateway "$gw_ns" "$gw_dll"
  for i in $(seq "$silos"); do
    make_ns "anc-s$i" "$net.$((10 + i))"
    start_metadata "anc-s$i" "$net.$((10 + i))"
    start_app silo "anc-s$i" "$silo_dll"
  done
  echo "gateway http://$net.10:8080 (namespace $gw_ns), silos ${net}.11-$((10 + silos)); admin key in $state/admin-key"
  for _ in $(seq 300); do
    curl -sf "http://$net.10:8080/readyz" >/dev/null && { echo "ready: $(curl -s "http://$net.10:8080/readyz")"; return 0; }
    kill -0 "$(cat "$state/pids/$gw_ns")" 2>/dev/null || { echo "the gateway exited: $state/logs/$gw_ns.log" >&2; exit 1; }
    sleep 1
  done
  echo "the gateway was not ready within 300 s: $state/logs/$gw_ns.log" >&2
  exit 1
}

# One more worker silo in the running cluster, as an ECS scale-out adds a task: the next free anc-sN namespace, the same
# published app and environment (plus any --env given here).
add() {
  [[ -s $state/extra-env ]] && mapfile -t extra_env < "$state/extra-env"
  while (( $# )); do
    case $1 in
      --env) [[ ${2:-} == *=* ]] || { echo "cluster.sh: --env needs KEY=VALUE" >&2; exit 2; }; extra_env+=("$2"); shift 2 ;;
      *) usage ;;
    esac
  done
  (( EUID == 0 )) || { echo "cluster.sh: must run as root (it creates network namespaces)" >&2; exit 1; }
  ip link show "$bridge" >/dev/null 2>&1 || { echo "cluster.sh: not up (infra/local/cluster.sh up first)" >&2; exit 1; }
  local i=1
  while ip netns list | awk '{print $1}' | grep -qx "anc-s$i"; do i=$((i + 1)); done
  (( i <= 20 )) || { echo "cluster.sh: 20 silos already" >&2; exit 1; }
  make_ns "anc-s$i" "$net.$((10 + i))"
  start_metadata "anc-s$i" "$net.$((10 + i))"
  start_app silo "anc-s$i" "$state/apps/silo/AncOrleans.Silo.dll"
  echo "anc-s$i $net.$((10 + i)) $(cat "$state/pids/anc-s$i")"
}

down() {
  # Apps first, with SIGTERM (graceful: they leave membership), then whatever is left, then the network.
  if [[ -d $state/pids ]]; then
    for f in "$state"/pids/anc-*; do [[ -f $f && $f != *metadata* ]] && kill -TERM "$(cat "$f")" 2>/dev/null || true; done
    for _ in $(seq 250); do
      alive=false
      for f in "$state"/pids/anc-*; do [[ -f $f ]] && kill -0 "$(cat "$f")" 2>/dev/null && alive=true; done
      $alive || break
      sleep 0.1
    done
    for f in "$state"/pids/*; do [[ -f $f ]] && kill -KILL "$(cat "$f")" 2>/dev/null || true; rm -f "$f"; done
  fi
  for ns in $(ip netns list | awk '{print $1}' | grep -E '^anc-(ddb|gw|s[0-9]+)$' || true); do
    # Anything still running inside a namespace we made (e.g. a child the pid file did not name).
    for pid in $(ip netns pids "$ns"); do kill -KILL "$pid" 2>/dev/null || true; done
    ip netns delete "$ns"
  done
  ip link delete "$bridge" 2>/dev/null || true
  echo "down"
}

status() {
  ip netns list | grep -E '^anc-' || echo "no namespaces"
  curl -s -m 2 -H "Authorization: Bearer $(cat "$state/admin-key" 2>/dev/null)" "http://$net.10:8080/v1/cluster" || echo "gateway not answering"
  echo
}

case ${1:-} in
  up) shift; up "$@" ;;
  add) shift; add "$@" ;;
  down) down ;;
  status) status ;;
  *) usage ;;
esac
