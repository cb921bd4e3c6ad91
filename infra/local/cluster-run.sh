# Sourced by the scripts that run a check on the local cluster (cluster-check.sh, join-under-load.sh), with root and out
# set: the cluster's state folder and gateway URL, cluster() (infra/local/cluster.sh), the cluster taken down on exit
# with the apps' logs kept in OUT/logs (the next `up` clears out/cluster/logs), and anc() on a Release build of the cli
# (built unless NO_BUILD is set and it exists).
state=${ANC_CLUSTER_DIR:-$root/out/cluster}
gw=http://10.77.0.10:8080
mkdir -p "$out"
cluster() { "$root/infra/local/cluster.sh" "$@"; }
trap 'cluster down >/dev/null 2>&1 || true; mkdir -p "$out/logs"; cp "$state"/logs/*.log "$out/logs/" 2>/dev/null || true' EXIT

if [[ ! -f $root/cli/bin/Release/net10.0/anc.dll || -z ${NO_BUILD:-} ]]; then
  dotnet build "$root/cli" -c Release --nologo -v q >/dev/null
fi
anc() { dotnet "$root/cli/bin/Release/net10.0/anc.dll" "$@"; }
