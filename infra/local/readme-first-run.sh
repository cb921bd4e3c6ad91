#!/usr/bin/env bash
# The README's first run, as a new user meets it: a fresh clone of this repository, its service command as written
# (`dotnet run --project gateway`, a Debug build), wait for /readyz, then its `anc sim` command twice (the CLI built
# first, while the gateway idles). For docs/measurements/benchmarks.md ("The README's first run").
#   infra/local/readme-first-run.sh [CLONE_DIR]      (default /tmp/readme-run; uses the README's ports, 5080 and 1883)
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-/tmp/readme-run}
rm -rf "$dir" && git clone -q "$here" "$dir" && cd "$dir"
dotnet run --project gateway > "$dir.gateway.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; pkill -f "$dir/gateway" 2>/dev/null || true' EXIT
until curl -sf http://127.0.0.1:5080/readyz > /dev/null; do
  sleep 0.5
  kill -0 $pid 2>/dev/null || { echo "the gateway exited; its log: $dir.gateway.log"; exit 1; }
done
echo "ready at $(date +%T), load $(cut -d' ' -f1-3 /proc/loadavg)"
dotnet build -c Release cli > "$dir.cli-build.log" 2>&1
echo "cli built at $(date +%T), load $(cut -d' ' -f1-3 /proc/loadavg)"
for i in 1 2; do
  dotnet run -c Release --project cli --no-build -- sim --devices 4 --scenario hum --seconds 20 2> "$dir.sim$i.err" | tail -2
  grep ' late — ' "$dir.sim$i.err" || true   # where the late replies fell (anc sim names them on stderr)
done
echo "load $(cut -d' ' -f1-3 /proc/loadavg)"
