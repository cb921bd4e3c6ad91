#!/usr/bin/env bash
# The images' build step, run by their Dockerfiles' build stage and by CI (tests/integration/ImageBuildTests.cs):
# `dotnet publish -c Release` of one app into OUTDIR, framework-dependent (the runtime comes from the base image).
#   infra/docker/build.sh gateway|silo|serving OUTDIR [extra dotnet publish arguments...]
set -euo pipefail
app=${1:-} out=${2:-}
if [[ -z "$app" || -z "$out" ]]; then
  echo "usage: infra/docker/build.sh gateway|silo|serving OUTDIR [dotnet publish arguments...]" >&2
  exit 2
fi
shift 2
root=$(cd "$(dirname "$0")/../.." && pwd)
# app → project; the entry assembly is the project's name + .dll.
case "$app" in
  gateway) project=gateway/AncOrleans.Gateway.csproj ;;
  silo)    project=silo/AncOrleans.Silo.csproj ;;
  serving) project=classifier.serving/AncOrleans.Classifier.Serving.csproj ;;   # the SageMaker serving host (branch serving)
  *) echo "build.sh: unknown app '$app' (gateway, silo or serving)" >&2; exit 2 ;;
esac
if [[ ! -f "$root/$project" ]]; then
  echo "build.sh: $project not found under $root" >&2
  exit 2
fi
dotnet publish "$root/$project" -c Release -o "$out" --nologo -v q -p:UseAppHost=false "$@"
dll="$out/$(basename "$project" .csproj).dll"
[[ -f "$dll" ]] || { echo "build.sh: $dll was not produced" >&2; exit 1; }
echo "$dll"
