#!/usr/bin/env bash
# TorchSharp 0.107's libLibTorchSharp.so is linked against GCC 13's libstdc++ (GLIBCXX_3.4.32) for one symbol,
# std::ios_base_library_init() — the hook GCC 13 uses to initialise iostreams. Debian 12 ships GCC 12's libstdc++
# (up to 3.4.30), where iostreams initialise themselves, so a no-op stands in: this script builds it as a tiny shared
# library and patches the copy of libLibTorchSharp.so in the trainer's build output (never the NuGet cache) to take the
# symbol from there unversioned (patchelf clears the symbol's version; verneed-patch.py renames the now unused
# GLIBCXX_3.4.32 requirement to 3.4.30). Needs g++, patchelf and python3. Usage: acoustics.torch/glibcxx-shim.sh [bin dir]
set -euo pipefail
bin="${1:-$(dirname "$0")/bin/Release/net10.0}"
lib="$bin/runtimes/linux-x64/native/libLibTorchSharp.so"
[ -f "$lib" ] || { echo "no $lib: build acoustics.torch first" >&2; exit 2; }
if strings /usr/lib/x86_64-linux-gnu/libstdc++.so.6 | grep -q GLIBCXX_3.4.32; then echo "libstdc++ has GLIBCXX_3.4.32: nothing to do"; exit 0; fi
# (no grep -q: its early exit would SIGPIPE objdump and, under pipefail, read as "no match")
if ! objdump -p "$lib" | grep GLIBCXX_3.4.32 >/dev/null; then echo "$lib: already patched"; exit 0; fi
dir="$(dirname "$lib")"
printf 'namespace std { void ios_base_library_init() {} }\n' > "$dir/iosinit-shim.cc"
g++ -shared -fPIC -O2 -o "$dir/libiosinit-shim.so" "$dir/iosinit-shim.cc"
patchelf --clear-symbol-version _ZSt21ios_base_library_initv "$lib"
patchelf --add-needed libiosinit-shim.so "$lib"
patchelf --set-rpath '$ORIGIN' "$lib"
python3 "$(dirname "$0")/verneed-patch.py" "$lib" GLIBCXX_3.4.32 GLIBCXX_3.4.30
echo "patched $lib"
