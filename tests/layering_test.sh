#!/usr/bin/env bash
# The layering of ../shared/DESIGN.md, checked on the tree and on the built libraries, so that it
# cannot drift again unnoticed (issue 29):
#   1. a module includes only itself and the modules before it in ORDER;
#   2. inference (predict, runtime, graph, validate, serve, web) includes nothing of the readers of
#      training artifacts (checkpoint, hub, pickle) nor the LibTorch model, and their libraries
#      do not link them or LibTorch;
#   3. each heavy library is included in its own place only: LibTorch in model, train, export and
#      the CLI's plugin; ONNX Runtime in runtime; cpp-httplib in core/http_client.cc (the client)
#      and serve (the server); OpenSSL in core/digest.cc.
# Usage: layering_test.sh SOURCE_DIR [BUILD_DIR]   (without BUILD_DIR, the link check is skipped)
set -euo pipefail
src="$1/src"
app="$1/app"
build="${2:-}"
ORDER=(core spec dist pickle config text data track hub checkpoint predict runtime graph validate
       serve web model train export)
INFERENCE=(predict runtime graph validate serve web)
TRAINING_READERS=(checkpoint hub pickle model)
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# 1. The order.
declare -A rank
for i in "${!ORDER[@]}"; do rank[${ORDER[$i]}]=$i; done
for dir in "$src"/*/; do
  module=$(basename "$dir")
  [[ -n "${rank[$module]:-}" ]] || { fail "src/$module is not in ORDER (add it where it belongs)"; continue; }
  while IFS=: read -r file line include; do
    used=$(sed -E 's/.*#include "([a-z_]+)\/.*/\1/' <<<"$include")
    [[ -n "${rank[$used]:-}" ]] || continue
    if ((rank[$used] > rank[$module])); then
      fail "${file#"$1"/}:$line: $module includes $used, which comes after it: $include"
    fi
  done < <(grep -rnE '^#include "[a-z_]+/' "$dir" | sed -E 's/^([^:]+):([0-9]+):/\1:\2:/')
done

# 2. Inference does not include the training readers.
for module in "${INFERENCE[@]}"; do
  for reader in "${TRAINING_READERS[@]}"; do
    if hits=$(grep -rnE "^#include \"$reader/" "$src/$module"); then
      fail "$module includes $reader: $hits"
    fi
  done
done

# 3. One place per heavy library.
only_in() {  # only_in PATTERN ALLOWED_REGEX WHAT
  local hits
  hits=$(grep -rnE "$1" "$src" "$app" | grep -vE "$2" || true)
  [[ -z "$hits" ]] || fail "$3 outside its place: $hits"
}
only_in '^#include <(torch|ATen|c10)/' "^$src/(model|train|export)/|^$app/cola/torch/|^$app/cola/version.cc:.*torch/version.h" LibTorch
only_in '^#include <onnxruntime' "^$src/runtime/" "ONNX Runtime"
only_in '^#include <httplib.h>' "^$src/core/http_client.cc:|^$src/serve/" cpp-httplib
only_in '^#include <openssl/' "^$src/core/digest.cc:" OpenSSL

# 2, linked: what the inference libraries load.
if [[ -n "$build" ]]; then
  for module in "${INFERENCE[@]}"; do
    lib=$(find "$build/src/$module" -maxdepth 1 -name "libcola_$module.so" | head -1)
    [[ -n "$lib" ]] || { fail "libcola_$module.so not found under $build/src/$module"; continue; }
    if bad=$(ldd "$lib" | grep -oE 'libcola_(checkpoint|hub|pickle|model)\.so|libtorch[a-z_]*\.so|libc10\.so'); then
      fail "libcola_$module.so links $(echo $bad | tr '\n' ' ')"
    fi
  done
fi

if ((failures > 0)); then
  echo "$failures layering violation(s)"
  exit 1
fi
echo "layering: ${#ORDER[@]} modules in order; inference free of training readers and LibTorch"
