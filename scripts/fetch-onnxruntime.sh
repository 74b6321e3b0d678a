#!/usr/bin/env bash
# Puts ONNX Runtime 1.30 (library + C/C++ headers) into a cache outside the clone and prints the
# directory. No Debian package exists, so both halves come from npm tarballs fetched with
# `npm pack` (which never runs install scripts; onnxruntime-node's install script would try to
# download from an unreachable host). Every file copied is pinned by sha256.
#
#   ONNXRUNTIME_ROOT=<dir with include/ and lib/>  use an official release instead; skips all this.
#   COLA_CACHE_DIR=<dir>                           cache root (default ~/.cache/cola).
#
# Works offline once the cache is complete: a cache hit re-verifies hashes and touches no network.
set -euo pipefail

if [ -n "${ONNXRUNTIME_ROOT:-}" ]; then
  for d in include lib; do
    [ -d "$ONNXRUNTIME_ROOT/$d" ] || { echo "fetch-onnxruntime: ONNXRUNTIME_ROOT=$ONNXRUNTIME_ROOT has no $d/" >&2; exit 1; }
  done
  echo "$ONNXRUNTIME_ROOT"
  exit 0
fi

version=1.30.0
root="${COLA_CACHE_DIR:-$HOME/.cache/cola}/onnxruntime-$version"

lib_pkg="onnxruntime-node@$version"
lib_path="package/bin/napi-v6/linux/x64/libonnxruntime.so.1"
lib_sha="ffb75a925ba05e47b235bb66e3e3911714a80b328a9c9425539feb204aa32a23"

hdr_pkg="com.github.asus4.onnxruntime@0.4.9"   # official headers, ORT_API_VERSION 29
hdr_dir="package/Plugins/iOS~/onnxruntime.xcframework/ios-arm64/onnxruntime.framework/Headers"
# The headers that onnxruntime_cxx_api.h pulls in, plus the config-key headers we use.
declare -A hdr_sha=(
  [onnxruntime_c_api.h]=acc0cf4b3f28d39339c76770d76164bb7a0637dc89f5fde764b4017b632f6743
  [onnxruntime_cxx_api.h]=9c63ed5bf0427ddf1c10a99aca0beeec77318ce77d2ea6f7ae76d7d933660f67
  [onnxruntime_cxx_inline.h]=c508dbb7d8203003a2584b8712118cb88e5b4ef1e1c7876a9974156fb7489301
  [onnxruntime_float16.h]=88b242845d25981633a0bbd1c148e273cf8bfb016ea3f57c4af41a06530f72b0
  [onnxruntime_ep_c_api.h]=e6c986c9e98583f8113b2c6bc3864814883b806d501cf24da4d239c45753e235
  [onnxruntime_error_code.h]=5ce3b054e798eced8d14f5b86e98692fd33470463f96194ce0700a2d53dd8721
  [onnxruntime_session_options_config_keys.h]=febf1052ee15e56ce136c41d028938d04b3e217bd4820dcafcb9bcd0f4f2c5ea
  [onnxruntime_run_options_config_keys.h]=973037c14b0f1af0854ae25cd676776f79dbcfd2a6791f6ee17a5374c2a62550
  [cpu_provider_factory.h]=0de52d129c718c07ee71a16b4953d8d483df019746a11caad77a0650a2f4ed47
)

# check FILE SHA: true when FILE exists and has the pinned hash.
check() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }

cache_ok() {
  check "$root/lib/libonnxruntime.so.1" "$lib_sha" || return 1
  local h
  for h in "${!hdr_sha[@]}"; do check "$root/include/$h" "${hdr_sha[$h]}" || return 1; done
}

if cache_ok; then echo "$root"; exit 0; fi

command -v npm >/dev/null || { echo "fetch-onnxruntime: npm not found (run scripts/install-deps.sh)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
stage="$work/stage"
mkdir -p "$stage/include" "$stage/lib"

# pack PKG: downloads PKG's tarball into $work without running any of its scripts; prints its path.
pack() {
  local out
  out=$(cd "$work" && npm pack --ignore-scripts --silent "$1" | tail -n 1) ||
    { echo "fetch-onnxruntime: npm pack $1 failed (offline and not cached?)" >&2; exit 1; }
  echo "$work/$out"
}
# verify FILE SHA LABEL: fails loudly on a hash mismatch.
verify() {
  local got
  got=$(sha256sum "$1" | cut -d' ' -f1)
  if [ "$got" != "$2" ]; then
    echo "fetch-onnxruntime: sha256 mismatch for $3: expected $2, got $got" >&2
    exit 1
  fi
}

echo "fetch-onnxruntime: fetching $lib_pkg and $hdr_pkg with npm pack" >&2
tgz=$(pack "$lib_pkg")
tar -xzf "$tgz" -C "$work" "$lib_path"
verify "$work/$lib_path" "$lib_sha" "$lib_pkg:$lib_path"
cp "$work/$lib_path" "$stage/lib/libonnxruntime.so.1"
ln -s libonnxruntime.so.1 "$stage/lib/libonnxruntime.so"

tgz=$(pack "$hdr_pkg")
tar -xzf "$tgz" -C "$work" "$hdr_dir"
for h in "${!hdr_sha[@]}"; do
  verify "$work/$hdr_dir/$h" "${hdr_sha[$h]}" "$hdr_pkg:$h"
  cp "$work/$hdr_dir/$h" "$stage/include/$h"
done

# Publish atomically: a half-written cache is never visible under the final name.
mkdir -p "$(dirname "$root")"
rm -rf "$root.old"
[ -e "$root" ] && mv "$root" "$root.old"
mv "$stage" "$root"
rm -rf "$root.old"
echo "$root"
