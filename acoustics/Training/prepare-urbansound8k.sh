#!/usr/bin/env bash
# Extracts the UrbanSound8K clips (CC BY-NC 3.0, Salamon, Jacoby & Bello, ACM MM 2014) from a local copy of the
# public repository Alejandro-131004/AC-II (commit 8f8b8f279a1f8b240a3b3019191229c225793e7a, folder
# UrbanSound8K/audio/) into a folder OUTSIDE this repository. Never commit the audio: its licence is non-commercial.
#
#   acoustics/Training/prepare-urbansound8k.sh <path-to-AC-II> [<out>=/work/data/us8k]
#
# <path-to-AC-II> may be a checkout (with a work tree) or a bare/mirror git directory; from a git directory the
# files are read at that commit with `git show`. Writes <out>/fold1 … and prints, per fold, how many clips it found.
# The class of a clip is the second number of its name (<fsID>-<classID>-<occurrence>-<slice>.wav).
set -euo pipefail
src="${1:?usage: prepare-urbansound8k.sh <path-to-AC-II> [out]}"
out="${2:-/work/data/us8k}"
commit=8f8b8f279a1f8b240a3b3019191229c225793e7a
source "$(dirname "$0")/outside-repository.sh"
refuse_inside_repository "$out" "the audio is CC BY-NC"
mkdir -p "$out"
if [ -d "$src/UrbanSound8K/audio" ]; then
  for fold in "$src"/UrbanSound8K/audio/fold*; do
    name=$(basename "$fold"); mkdir -p "$out/$name"
    cp -n "$fold"/*.wav "$out/$name/" 2>/dev/null || true
    echo "$name $(ls "$out/$name" | wc -l) clips"
  done
else
  gitdir="$src"; [ -d "$src/.git" ] && gitdir="$src/.git"
  git --git-dir="$gitdir" cat-file -e "$commit^{commit}" || { echo "commit $commit not in $gitdir" >&2; exit 2; }
  for name in $(git --git-dir="$gitdir" ls-tree --name-only "$commit" UrbanSound8K/audio/ | xargs -n1 basename | grep '^fold'); do
    mkdir -p "$out/$name"
    git --git-dir="$gitdir" ls-tree "$commit" "UrbanSound8K/audio/$name/" | awk '$4 ~ /\.wav$/ {print $3, $4}' |
      while read -r blob path; do
        target="$out/$name/$(basename "$path")"
        [ -s "$target" ] || git --git-dir="$gitdir" cat-file blob "$blob" > "$target"
      done
    echo "$name $(ls "$out/$name" | wc -l) clips"
  done
fi
cat > "$out/LICENSE.txt" <<TXT
UrbanSound8K, J. Salamon, C. Jacoby and J. P. Bello, "A Dataset and Taxonomy for Urban Sound Research",
ACM Multimedia 2014. Licence: Creative Commons Attribution-NonCommercial 3.0 (CC BY-NC 3.0).
Extracted from github.com/Alejandro-131004/AC-II at $commit (UrbanSound8K/audio/). Do not redistribute commercially.
TXT
