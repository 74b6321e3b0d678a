#!/usr/bin/env bash
# Puts onnxruntime-web 1.30 (the WebAssembly build `cola web` ships with its pages) into a cache
# outside the clone and prints the directory, as fetch-onnxruntime.sh does for the C++ library:
# `npm pack` (no install scripts), every file pinned by sha256. The 14 MB .wasm is stored gzipped
# (3.7 MB), the form the page fetches and inflates itself (web/app.js), so that a site stays small
# on any static file server.
#
#   COLA_ORT_WEB_DIR=<dir>  use this directory (it must hold the files below) instead.
#   COLA_CACHE_DIR=<dir>    cache root (default ~/.cache/cola).
set -euo pipefail

files=(ort.wasm.min.mjs ort-wasm-simd-threaded.mjs ort-wasm-simd-threaded.wasm.gz)
if [ -n "${COLA_ORT_WEB_DIR:-}" ]; then
  for f in "${files[@]}"; do
    [ -f "$COLA_ORT_WEB_DIR/$f" ] || { echo "fetch-onnxruntime-web: COLA_ORT_WEB_DIR=$COLA_ORT_WEB_DIR has no $f" >&2; exit 1; }
  done
  echo "$COLA_ORT_WEB_DIR"
  exit 0
fi

version=1.30.0
root="${COLA_CACHE_DIR:-$HOME/.cache/cola}/onnxruntime-web-$version"
pkg="onnxruntime-web@$version"
declare -A sha=(  # of package/dist/<file>; the .wasm's is checked on its inflated bytes
  [ort.wasm.min.mjs]=219e6a1fc8a9938268d18efca3c91d310bd2f4a59bbd13744df5b2b7fc6cee3b
  [ort-wasm-simd-threaded.mjs]=e13f7f94fc51b4ca72b12faeb1ee95f4ace6dfbc8939bc718aabdc0a27c4299b
  [ort-wasm-simd-threaded.wasm]=3398c10d07d229bd91b364548e130e0e51a8e5704b88c7c083ebbeb78842dee2
)
wasm=ort-wasm-simd-threaded.wasm

hash() { sha256sum "$1" | cut -d' ' -f1; }
cache_ok() {
  [ "$(hash "$root/ort.wasm.min.mjs" 2>/dev/null)" = "${sha[ort.wasm.min.mjs]}" ] || return 1
  [ "$(hash "$root/ort-wasm-simd-threaded.mjs" 2>/dev/null)" = "${sha[ort-wasm-simd-threaded.mjs]}" ] || return 1
  [ "$(gzip -dc "$root/$wasm.gz" 2>/dev/null | sha256sum | cut -d' ' -f1)" = "${sha[$wasm]}" ]
}
if cache_ok; then echo "$root"; exit 0; fi

command -v npm >/dev/null || { echo "fetch-onnxruntime-web: npm not found (run scripts/install-deps.sh)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "fetch-onnxruntime-web: fetching $pkg with npm pack" >&2
tgz=$(cd "$work" && npm pack --ignore-scripts --silent "$pkg" | tail -n 1) ||
  { echo "fetch-onnxruntime-web: npm pack $pkg failed (offline and not cached?)" >&2; exit 1; }
stage="$work/stage"
mkdir -p "$stage"
for f in "${!sha[@]}"; do
  tar -xzf "$work/$tgz" -C "$work" "package/dist/$f"
  got=$(hash "$work/package/dist/$f")
  if [ "$got" != "${sha[$f]}" ]; then
    echo "fetch-onnxruntime-web: sha256 mismatch for $pkg:dist/$f: expected ${sha[$f]}, got $got" >&2
    exit 1
  fi
done
cp "$work/package/dist/ort.wasm.min.mjs" "$work/package/dist/ort-wasm-simd-threaded.mjs" "$stage/"
gzip -9 -n -c "$work/package/dist/$wasm" >"$stage/$wasm.gz"

# Publish atomically: a half-written cache is never visible under the final name.
mkdir -p "$(dirname "$root")"
rm -rf "$root.old"
[ -e "$root" ] && mv "$root" "$root.old"
mv "$stage" "$root"
rm -rf "$root.old"
echo "$root"
