#!/usr/bin/env bash
# Two gateway builds under the same `anc load`, alternated (A, B, A, B, …) so the machine's drift falls on both.
# Each run is infra/local/load-run.sh (a fresh gateway, /readyz plus 3 s, then the load); one line per run:
# build, p50/p99 ms, lost, late, gateway and generator CPU %, and the gateway's GC over the load.
#   infra/local/ab-load.sh A_GATEWAY_BIN_DIR B_GATEWAY_BIN_DIR CLI_BIN_DIR OUT_DIR N ROUNDS [SECS]
# Env: LOAD_ARGS as for load-run.sh (this script adds --interval 1 unless LOAD_ARGS names an interval); A_ARGS and
# B_ARGS: gateway arguments for one side only (e.g. the same build twice, a setting on and off).
# For docs/measurements/benchmarks.md: build A is usually the last commit (a `git worktree` built Release), B this tree.
set -euo pipefail
a=$1 b=$2 cli=$3 out=$4 n=$5 rounds=$6 seconds=${7:-15}
here=$(dirname "$0")
args=${LOAD_ARGS:-}
[[ $args == *--interval* ]] || args="--interval 1 $args"
for ((r = 1; r <= rounds; r++)); do
  for side in A B; do
    gw=$a side_args=${A_ARGS:-}
    [[ $side == B ]] && gw=$b side_args=${B_ARGS:-}
    dir="$out/$side$r"
    GATEWAY_ARGS="${GATEWAY_ARGS:-} $side_args" LOAD_ARGS=$args "$here/load-run.sh" "$gw" "$cli" "$dir" "$n" "$seconds" > /dev/null
    summary=$(tail -1 "$dir/load.json")
    field() { grep -o "\"$1\":[^,}]*" <<< "$summary" | head -1 | cut -d: -f2; }
    gcf() { awk -v k="$1" '$0 ~ k { s += $NF } END { printf "%s", s + 0 }' "$dir/gc.txt"; }
    printf '%s round %d: p50 %s p99 %s ms, lost %s, late %s, gateway %s %%, generator %s %%, allocated %.0f MB, gen0 %s gen1 %s gen2 %s, pauses %.3f s\n' \
      "$side" "$r" "$(field latencyP50Ms)" "$(field latencyP99Ms)" "$(field framesLost)" "$(field framesLate)" \
      "$(field gatewayCpuPercent)" "$(field generatorCpuPercent)" \
      "$(awk '/allocated/ { print $NF / 1e6 }' "$dir/gc.txt")" \
      "$(gcf 'collections_total gen0')" "$(gcf 'collections_total gen1')" "$(gcf 'collections_total gen2')" \
      "$(awk '/pause_time/ { print $NF }' "$dir/gc.txt")"
  done
done
