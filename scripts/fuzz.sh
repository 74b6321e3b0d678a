#!/usr/bin/env bash
# `make fuzz FUZZ_SECONDS=N`: builds the libFuzzer targets of fuzz/ (the `fuzz` preset: clang,
# -fsanitize=fuzzer,address,undefined, no LibTorch) and runs each for N seconds on a corpus seeded
# from the goldens in $COLA_SHARED_DIR (default ../shared), kept in build/fuzz/corpus/<target> so
# that later runs start from what earlier ones found. Prints one line per target: executions,
# coverage, and where a crash was written if there was one; exits 1 on any finding.
set -euo pipefail
seconds=${FUZZ_SECONDS:-60}
shared=${COLA_SHARED_DIR:-$(cd "$(dirname "$0")/../.." && pwd)/shared}
build=build/fuzz
command -v clang++ >/dev/null || { echo "make fuzz needs clang (apt-get install clang)" >&2; exit 1; }
ort=$(scripts/fetch-onnxruntime.sh)
if ! grep -qxF "ONNXRUNTIME_ROOT:PATH=$ort" "$build/CMakeCache.txt" 2>/dev/null; then
  cmake --preset fuzz -DONNXRUNTIME_ROOT:PATH="$ort" >/dev/null
fi
cmake --build --preset fuzz --target fuzzers -j "$(nproc)"

seed() {  # seed TARGET FILE... : the first 64 KiB of each existing file
  local dir="$build/corpus/$1"
  shift
  mkdir -p "$dir"
  for f in "$@"; do
    [[ -f "$f" ]] && head -c 65536 "$f" >"$dir/seed-$(basename "$f")"
  done
  return 0
}
lines() {  # lines TARGET FILE N : the first N lines of FILE, one seed each (short inputs run fast)
  local dir="$build/corpus/$1"
  mkdir -p "$dir"
  [[ -f "$2" ]] || return 0
  local i=0
  while IFS= read -r line && ((i < $3)); do
    printf '%s' "$line" >"$dir/line-$i"
    i=$((i + 1))
  done <"$2"
}
lines tokenizer "$shared/golden/tokenizer/bert-base-uncased.jsonl" 200
lines readers "$shared/data/cola/raw/in_domain_dev.tsv" 50
head -c 4096 data/sample/dev.tsv >"$build/corpus/readers/glue.tsv"
head -n 20 "$shared/golden/tokenizer/bert-base-uncased.jsonl" >"$build/corpus/readers/rows.jsonl"
seed safetensors "$shared/golden/tiny-bert/model.safetensors"
seed torch_save "$shared"/golden/pytorch/hostile/* "$shared/golden/pytorch/hf-bin/pytorch_model.bin" \
  "$shared/golden/pytorch/hf-bin-legacy/pytorch_model.bin"
seed config configs/config.yaml configs/*/*.yaml "$shared/golden/tiny-bert/config.json"
# A run's .hydra/config.yaml, NUL, its overrides.yaml, NUL, an override beside training.resume.
printf 'seed: 7\ntraining:\n  max_epochs: 2\n  resume: ""\n\0- "seed=7"\n\0training.max_epochs=3' \
  >"$build/corpus/config/resume"
# A small ModelProto with the metadata `cola predict` reads, encoded from text by protoc.
mkdir -p "$build/corpus/onnx_metadata"
protoc --encode=onnx.ModelProto -I/usr/include onnx/onnx.proto >"$build/corpus/onnx_metadata/meta" <<'PROTO'
ir_version: 8
producer_name: "cola"
graph { name: "g" }
opset_import { domain: "" version: 14 }
metadata_props { key: "id2label" value: "{\"0\": \"unacceptable\", \"1\": \"acceptable\"}" }
metadata_props { key: "tokenizer_config" value: "{\"do_lower_case\": true, \"model_max_length\": 512}" }
metadata_props { key: "vocab" value: "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\n##s\n" }
PROTO
mkdir -p "$build/corpus/serve_request"
printf '{"inputs": "The boy is sitting on a bench."}' >"$build/corpus/serve_request/one"
printf '{"inputs": ["a", "b"], "raw_scores": true, "truncate": true}' >"$build/corpus/serve_request/many"
printf '[["a"], ["b"]]' >"$build/corpus/serve_request/tei"
printf '{"inputs": ["a"], "parameters": {"top_k": 1, "function_to_apply": "sigmoid"}}' \
  >"$build/corpus/serve_request/hf_task"
printf '{"id": "1", "inputs": [{"name": "text", "shape": [2], "datatype": "BYTES", "data": ["a", "b"]}], "outputs": [{"name": "label"}], "parameters": {"raw_scores": true}}' \
  >"$build/corpus/serve_request/oip_infer"
printf '/v2/models/m/versions/1/infer' >"$build/corpus/serve_request/oip_path"
printf 'The boy is here.\n"A ""quoted"", sentence."\n' >"$build/corpus/serve_request/csv"

# Text inputs stay short; binary formats need room for their headers and pickles.
declare -A max_len=([tokenizer]=1024 [readers]=4096 [safetensors]=65536 [torch_save]=65536
  [config]=4096 [onnx_metadata]=65536 [serve_request]=4096)
targets=(tokenizer readers safetensors torch_save config onnx_metadata serve_request)

run_target() {  # run_target NAME: fuzzes it; writes its result line to $build/fuzz-NAME.result
  local target=$1 log="$build/fuzz-$1.log" result=ok
  mkdir -p "$build/crashes/$target"
  if ! "$build/fuzz/${target}_fuzz" -max_total_time="$seconds" -rss_limit_mb=4096 \
      -max_len="${max_len[$target]}" \
      -artifact_prefix="$build/crashes/$target/" -print_final_stats=1 \
      "$build/corpus/$target" >"$log" 2>&1; then
    result="FINDING: see $log and $build/crashes/$target/"
  fi
  local runs cov
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo "?")
  printf '%-14s %12s executions  coverage %6s  %s\n' "$target" "$runs" "$cov" "$result" \
    >"$build/fuzz-$target.result"
}

# One target per core at a time: each still gets its full FUZZ_SECONDS of one core.
jobs_max=$(nproc)
for target in "${targets[@]}"; do
  while (($(jobs -rp | wc -l) >= jobs_max)); do wait -n || true; done
  run_target "$target" &
done
wait
status=0
for target in "${targets[@]}"; do
  cat "$build/fuzz-$target.result"
  grep -q FINDING "$build/fuzz-$target.result" && status=1
done
exit $status
