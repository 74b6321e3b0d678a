#!/usr/bin/env bash
# `make sanitize`: the modules that do not use LibTorch, and their tests, built with clang, ASan
# and UBSan (the `fuzz` preset, -O1 so that it builds in minutes), the tests run, then each
# libFuzzer target for FUZZ_SECONDS (default 60) on one core each (scripts/fuzz.sh). .ci/run runs
# it after `make test`. Prints how long each part took; exits non-zero on any failure or finding.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang++ >/dev/null || { echo "make sanitize needs clang (scripts/install-deps.sh)" >&2; exit 1; }
build=build/fuzz
start=$SECONDS
ort=$(scripts/fetch-onnxruntime.sh)
cmake --preset fuzz -DONNXRUNTIME_ROOT:PATH="$ort" >/dev/null  # seconds; picks up preset changes
cmake --build --preset fuzz -j "$(nproc)"
built=$SECONDS
ctest --preset fuzz -j "$(nproc)"
tested=$SECONDS
FUZZ_SECONDS=${FUZZ_SECONDS:-60} scripts/fuzz.sh
echo "sanitize: build $((built - start)) s, ASan/UBSan tests $((tested - built)) s, fuzzing $((SECONDS - tested)) s"
