#!/usr/bin/env bash
# Puts YAMNet's TensorFlow Lite file (Plakal & Ellis, Google 2019; Apache 2.0; trained on AudioSet) where the
# tagger options expect it, OUTSIDE this repository: it is not shipped here (docs/classifier.md, "Fifth round").
#
#   acoustics/Training/prepare-yamnet.sh <yamnet.tflite | git directory holding it> [<out>=/work/data/yamnet/yamnet.tflite]
#
# The file measured in docs/classifier.md is 4,078,224 bytes, sha256 469be6a3421cbc52cf97e9f2f966cba984198e8e7af9854d68b3e3ebb1e04194
# (TF Hub's YAMNet TFLite as published; read here from github.com/Jaskaran197/Speaker-Detector, commit
# 4ec29b6938f1051fe36b46786f8d486d8b74a38e, path yamnet.tflite). Another YAMNet .tflite may load (the loader checks the
# graph's shapes) but its figures are not the ones recorded.
set -euo pipefail
src="${1:?usage: prepare-yamnet.sh <yamnet.tflite | git dir> [out]}"
out="${2:-/work/data/yamnet/yamnet.tflite}"
expected=469be6a3421cbc52cf97e9f2f966cba984198e8e7af9854d68b3e3ebb1e04194
source "$(dirname "$0")/outside-repository.sh"
refuse_inside_repository "$out"
mkdir -p "$(dirname "$out")"
if [ -f "$src" ]; then
  cp "$src" "$out"
else
  gitdir="$src"; [ -d "$src/.git" ] && gitdir="$src/.git"
  path=$(git --git-dir="$gitdir" ls-tree -r --name-only HEAD | grep -E '(^|/)yamnet\.tflite$' | head -1)
  [ -n "$path" ] || { echo "no yamnet.tflite in $gitdir at HEAD" >&2; exit 2; }
  git --git-dir="$gitdir" show "HEAD:$path" > "$out"
fi
actual=$(sha256sum "$out" | cut -d' ' -f1)
if [ "$actual" = "$expected" ]; then echo "$out: the recorded YAMNet file ($actual)"; else echo "$out: sha256 $actual differs from the recorded file; figures in docs/classifier.md may not hold" >&2; fi
